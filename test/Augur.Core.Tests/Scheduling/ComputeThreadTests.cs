using Augur.Inference;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// Where a batch runs. A run "blocks" for as long as the fake clock advances before the backend returns: the fake
/// models below advance it inside <c>ExecuteAsync</c>, on the thread that called it, and record that thread.
/// </summary>
public sealed class ComputeThreadTests() : SchedulingTestBase(withMetrics: true)
{
    private const string ComputeThreadName = "augur echo #0";
    private static readonly TimeSpan From = TimeSpan.FromMilliseconds(1);

    private readonly List<(string? Name, bool Pool, int Rows)> _runs = [];

    private Task<InferenceEngine> StartAsync(FakeModelSpec spec, TimeSpan? from)
    {
        Repository.AddModel("echo").WriteConfig("echo", Config("""{"max_queue_delay_microseconds": 0}"""));
        Backend.Register("echo", spec);
        return new InferenceEngineBuilder().UseModelRepository(Repository.Path).AddBackend(Backend).UseTimeProvider(Time)
            .UseMeterFactory(Metrics).UseComputeThreads(from).BuildAsync().WaitAsync(TestTimeout);
    }

    /// <summary>A model whose runs hold their thread for <paramref name="cost"/> (on the fake clock) and, when given, until <paramref name="gate"/> opens.</summary>
    private FakeModelSpec Blocking(TimeSpan cost, Func<FakeCall, ManualResetEventSlim?>? gate = null) => FakeModelSpec.Custom(EchoSignature, call =>
    {
        Record(call);
        gate?.Invoke(call)?.Wait(TestTimeout);
        Time.Advance(cost);
        return ValueTask.FromResult(FakeModelSpec.Echo(call.Batch, EchoSignature));
    });

    private void Record(FakeCall call)
    {
        lock (_runs)
        {
            _runs.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, call.Batch.Count));
        }
    }

    private async Task SendOneByOne(InferenceEngine engine, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await engine.InferOk(Request($"r{i}"));
        }
    }

    [Fact]
    public async Task Runs_that_block_for_long_move_to_a_thread_of_their_own_after_the_first()
    {
        await using var engine = await StartAsync(Blocking(TimeSpan.FromMilliseconds(2)), From);
        await SendOneByOne(engine, 4);

        // The first run ran where it was dispatched (nothing was known); every later one on the instance's own thread.
        Assert.NotEqual(ComputeThreadName, _runs[0].Name);
        Assert.All(_runs.Skip(1), r => Assert.Equal((ComputeThreadName, false), (r.Name, r.Pool)));
    }

    [Fact]
    public async Task Short_runs_stay_on_the_dispatching_thread()
    {
        await using var engine = await StartAsync(Blocking(TimeSpan.FromMicroseconds(100)), From);
        await SendOneByOne(engine, 4);

        Assert.Equal(4, _runs.Count);
        Assert.All(_runs, r => Assert.NotEqual(ComputeThreadName, r.Name));
    }

    [Fact]
    public async Task A_run_that_does_not_block_its_caller_never_gets_a_thread()
    {
        var spec = FakeModelSpec.Custom(EchoSignature, async call =>
        {
            await Task.Yield();
            Record(call);
            Time.Advance(TimeSpan.FromMilliseconds(2));
            return FakeModelSpec.Echo(call.Batch, EchoSignature);
        });
        await using var engine = await StartAsync(spec, From);
        await SendOneByOne(engine, 4);

        Assert.All(_runs, r => Assert.NotEqual(ComputeThreadName, r.Name));
    }

    [Fact]
    public async Task With_compute_threads_off_every_run_stays_on_the_dispatching_thread()
    {
        await using var engine = await StartAsync(Blocking(TimeSpan.FromMilliseconds(2)), from: null);
        await SendOneByOne(engine, 4);

        Assert.All(_runs, r => Assert.NotEqual(ComputeThreadName, r.Name));
    }

    [Fact]
    public async Task A_batch_that_finishes_starts_the_instances_next_batch_on_the_same_thread()
    {
        using var gate = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);
        await using var engine = await StartAsync(
            Blocking(TimeSpan.FromMilliseconds(2), call =>
            {
                if (call.Batch[0].Id != "held")
                {
                    return null;
                }

                started.Release();
                return gate;
            }),
            From);
        await SendOneByOne(engine, 1);

        // "held" holds the instance's thread; two more requests queue behind it and leave together as one batch.
        var held = engine.Infer(Request("held"));
        Assert.True(await started.WaitAsync(TestTimeout));
        var queued = new[] { engine.Infer(Request("a")), engine.Infer(Request("b")) };
        Assert.Equal(2, Metrics.Gauge("augur.queue.depth"));
        gate.Set();

        Assert.True((await held).IsSuccess);
        Assert.All(await Task.WhenAll(queued), r => Assert.True(r.IsSuccess));
        Assert.Equal([(ComputeThreadName, false, 1), (ComputeThreadName, false, 2)], _runs.Skip(1));
    }
}
