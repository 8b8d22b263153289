using Augur.Errors;
using Augur.Testing.Fakes;
using Augur.Core.Tests.Scheduling;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;
using static Augur.Core.Tests.Sequences.SequenceHarness;

namespace Augur.Core.Tests.Sequences;

public sealed class SequenceBatchingTests() : SchedulingTestBase(withMetrics: true)
{
    private Task<InferenceEngine> StartSumAsync(string sequencing, FakeModelSpec? spec = null, string batching = """{"max_queue_delay_microseconds": 0}""")
    {
        Repository.AddModel("sum").WriteConfig("sum", Config(sequencing, batching));
        Backend.Register("sum", spec ?? Sum());
        return BuildAsync(Repository, Backend, Time, Metrics);
    }

    [Fact]
    public async Task Interleaved_sequences_each_keep_their_own_state()
    {
        await using var engine = await StartSumAsync(SumState);

        Assert.Equal(1, (await engine.InferOk(Step("a", 1, start: true))).Y());
        Assert.Equal(10, (await engine.InferOk(Step("b", 10, start: true))).Y());
        Assert.Equal(3, (await engine.InferOk(Step("a", 2))).Y());
        Assert.Equal(30, (await engine.InferOk(Step("b", 20))).Y());
        Assert.Equal(6, (await engine.InferOk(Step("a", 3, end: true))).Y());
        Assert.Equal(60, (await engine.InferOk(Step("b", 30))).Y());

        // A restarted sequence starts from zero; the state output is not shown to clients.
        var restarted = await engine.InferOk(Step("a", 5, start: true));
        Assert.Equal(5, restarted.Y());
        Assert.Equal(["y"], restarted.Outputs.Select(o => o.Name));
        Assert.Equal(["x"], engine.Metadata("sum").Signature.Inputs.Select(i => i.Name));
        Assert.Equal(["y"], engine.Metadata("sum").Signature.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Steps_of_one_sequence_run_one_at_a_time_in_arrival_order_while_other_sequences_batch()
    {
        var active = new Dictionary<string, int>();
        var violations = new List<string>();
        var submitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = await StartSumAsync(SumState, Sum(async call =>
        {
            // The first batch holds the instance until every step was submitted, so the other sequences' first steps queue up together.
            if (call.Sequence == 0)
            {
                await submitted.Task.WaitAsync(TestTimeout);
            }

            lock (active)
            {
                foreach (var sequence in call.Batch.Select(r => r.Sequence!.Id))
                {
                    if (active.GetValueOrDefault(sequence) > 0)
                    {
                        violations.Add($"two steps of {sequence} in flight");
                    }

                    active[sequence] = active.GetValueOrDefault(sequence) + 1;
                }
            }

            await Task.Yield();
            lock (active)
            {
                foreach (var sequence in call.Batch.Select(r => r.Sequence!.Id))
                {
                    active[sequence]--;
                }
            }
        }));

        const int steps = 40;
        var sequences = new[] { "s0", "s1", "s2", "s3", "s4" };
        var all = new List<(string Sequence, int Step, Task<Augur.Inference.InferenceResult> Result)>();
        for (var step = 1; step <= steps; step++)
        {
            foreach (var sequence in sequences)
            {
                all.Add((sequence, step, engine.Infer(Step(sequence, step, start: step == 1))));
            }
        }

        submitted.SetResult();

        foreach (var (sequence, step, result) in all)
        {
            var response = (await result).GetResponseOrThrow();
            Assert.Equal(step * (step + 1) / 2, response.Y());
        }

        Assert.Empty(violations);
        var model = Backend.Model("sum");
        Assert.All(model.Calls, call => Assert.Equal(call.Batch.Count, call.Batch.Select(r => r.Sequence!.Id).Distinct().Count()));
        Assert.Contains(model.Calls, call => call.Batch.Count > 1);
        Assert.Contains(Metrics.Of("augur.batch.size"), m => m.Value > 1);
    }

    [Fact]
    public async Task Steps_of_several_sequences_waiting_behind_a_batch_run_as_one_batch()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = await StartSumAsync(SumState, Sum(call =>
        {
            started.TrySetResult();
            return call.Batch[0].Id == "first" ? release.Task.WaitAsync(TestTimeout) : Task.CompletedTask;
        }));

        var first = Task.Run(() => engine.Infer(Step("a", 1, start: true, id: "first")));
        await started.Task.WaitAsync(TestTimeout);
        var second = engine.Infer(Step("a", 2, id: "a2"));
        var others = new[] { "b", "c", "d" }.Select(s => engine.Infer(Step(s, 1, start: true, id: s))).ToArray();
        release.SetResult();

        Assert.Equal(1, (await first).GetResponseOrThrow().Y());
        Assert.Equal(3, (await second).GetResponseOrThrow().Y());
        Assert.All(await Task.WhenAll(others), r => Assert.Equal(1, r.GetResponseOrThrow().Y()));

        // a's second step waited for its first; the three other sequences went in one batch (with a2 once it was free).
        var batches = Batches(Backend.Model("sum")).Split('|');
        Assert.Equal("first", batches[0]);
        Assert.Contains(batches, b => b.Split(',').Intersect(["b", "c", "d"]).Count() == 3);
    }

    [Fact]
    public async Task An_idle_sequence_expires_after_max_sequence_idle()
    {
        await using var engine = await StartSumAsync("\"max_sequence_idle_microseconds\": 1000000, " + SumState);

        await engine.InferOk(Step("a", 1, start: true));
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await engine.InferOk(Step("a", 2))).Y());
        Assert.Equal(1, Metrics.Gauge("augur.sequences.live", "sum"));

        Time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMicroseconds(1));
        Assert.Equal(0, Metrics.Gauge("augur.sequences.live", "sum"));
        var error = await engine.InferError(Step("a", 3));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal("sequence 'a' of model 'sum' is unknown or expired (idle for more than 1 s); its first step must carry sequence_start", error.Message);
        Assert.Equal(3, (await engine.InferOk(Step("a", 3, start: true))).Y());
    }

    [Fact]
    public async Task Implicit_start_begins_an_unknown_or_expired_sequence_with_fresh_state()
    {
        await using var engine = await StartSumAsync("\"implicit_start\": true, \"max_sequence_idle_microseconds\": 1000, " + SumState);

        Assert.Equal(4, (await engine.InferOk(Step("sensor-7", 4))).Y());
        Assert.Equal(9, (await engine.InferOk(Step("sensor-7", 5))).Y());
        Time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(6, (await engine.InferOk(Step("sensor-7", 6))).Y());
    }

    [Fact]
    public async Task One_sequence_beyond_max_sequences_is_refused_until_one_ends()
    {
        await using var engine = await StartSumAsync("\"max_sequences\": 2, " + SumState);

        await engine.InferOk(Step("a", 1, start: true));
        await engine.InferOk(Step("b", 1, start: true));
        Assert.Equal(2, Metrics.Gauge("augur.sequences.live", "sum"));
        var refused = await engine.InferError(Step("c", 1, start: true));
        Assert.Equal(ErrorCode.ResourceExhausted, refused.Code);
        Assert.Equal(503, refused.Code.ToHttpStatus());
        Assert.Equal("model 'sum' already has 2 live sequences (sequence_batching.max_sequences); end a sequence (sequence_end) or wait for idle ones to expire", refused.Message);

        await engine.InferOk(Step("a", 2, end: true));
        Assert.Equal(1, Metrics.Gauge("augur.sequences.live", "sum"));
        Assert.Equal(7, (await engine.InferOk(Step("c", 7, start: true))).Y());

        // An ended sequence is gone: its next step needs a start.
        Assert.Equal(ErrorCode.InvalidArgument, (await engine.InferError(Step("a", 3))).Code);
    }

    [Fact]
    public async Task Expired_sequences_make_room_for_new_ones()
    {
        await using var engine = await StartSumAsync("\"max_sequences\": 1, \"max_sequence_idle_microseconds\": 500, " + SumState);

        await engine.InferOk(Step("a", 1, start: true));
        Assert.Equal(ErrorCode.ResourceExhausted, (await engine.InferError(Step("b", 1, start: true))).Code);
        Time.Advance(TimeSpan.FromMicroseconds(501));
        Assert.Equal(1, (await engine.InferOk(Step("b", 1, start: true))).Y());
    }

    [Fact]
    public async Task A_cancelled_waiting_step_leaves_the_order_and_the_state_intact()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = await StartSumAsync(SumState, Sum(call =>
        {
            started.TrySetResult();
            return call.Batch[0].Id == "first" ? release.Task.WaitAsync(TestTimeout) : Task.CompletedTask;
        }));
        using var cancel = new CancellationTokenSource();

        var first = Task.Run(() => engine.Infer(Step("a", 1, start: true, id: "first")));
        await started.Task.WaitAsync(TestTimeout);
        var cancelled = engine.Infer(Step("a", 100), cancel.Token);
        var third = engine.Infer(Step("a", 2));
        cancel.Cancel();

        var error = (await cancelled).Error!;
        Assert.Equal(ErrorCode.Cancelled, error.Code);
        Assert.Contains("sequence 'a' of model 'sum'", error.Message);
        Assert.False(third.IsCompleted);
        release.SetResult();
        Assert.Equal(1, (await first).GetResponseOrThrow().Y());
        Assert.Equal(3, (await third).GetResponseOrThrow().Y());
    }

    [Fact]
    public async Task Disposing_the_engine_releases_steps_waiting_for_their_turn()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = await StartSumAsync(SumState, Sum(call =>
        {
            started.TrySetResult();
            return release.Task.WaitAsync(TestTimeout);
        }));

        var first = Task.Run(() => engine.Infer(Step("a", 1, start: true)));
        await started.Task.WaitAsync(TestTimeout);
        var waiting = engine.Infer(Step("a", 2));
        var disposing = engine.DisposeAsync().AsTask();
        release.SetResult();
        await disposing.WaitAsync(TestTimeout);

        Assert.True((await first).IsSuccess);
        var error = (await waiting).Error!;
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal(ErrorCode.Unavailable, (await engine.InferError(Step("a", 3))).Code);
    }
}
