using Augur.Inference;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// The batcher with no batching settings in config.json, on a fake clock stepped 0.1 ms at a time, against a model of
/// known cost: each batch holds the instance for exactly its cost, and requests arrive on a fixed schedule (open loop).
/// <para>
/// At 1 ms + 0.1 ms per sample the learned target is 40 (AutoBatchWaitTests). Requests arrive every 0.2 ms (5,000/s).
/// With no wait (an explicit max_queue_delay_microseconds of 0) a batch holds what arrived while the last one ran,
/// b = 5,000/s × (1 ms + 0.1 ms × b), so 10 samples. Waiting, the oldest request waits until t(40) = 5 ms after it
/// arrived, so a batch holds the 25 or 26 requests of 5 to 5.2 ms; each batch then saves 1.5 fixed costs out of 2.5.
/// </para>
/// </summary>
public sealed class SelfTuningBatcherTests() : SchedulingTestBase(withMetrics: true)
{
    private static readonly TimeSpan Step = TimeSpan.FromMicroseconds(100);

    private static TimeSpan LinearCost(double fixedMs, double perRowMs, int rows) => TimeSpan.FromMilliseconds(fixedMs + (perRowMs * rows));

    /// <summary>
    /// Sends <paramref name="requests"/> requests, <paramref name="burst"/> at a time every <paramref name="every"/>
    /// steps, to a one-instance model whose batches cost <paramref name="cost"/>; returns each batch's size and dispatch reason, and the batch target at the end.
    /// </summary>
    private async Task<(List<(int Size, string Reason)> Batches, int Target)> RunOpenLoop(string batching, Func<int, TimeSpan> cost, int requests, int every, int burst = 1)
    {
        var held = new HeldModel();
        await using var engine = await StartAsync(batching, maxBatchSize: 64, spec: held.Spec);
        var pending = new Dictionary<string, Task<InferenceResult>>();
        FakeCall? running = null;
        var runningEnd = DateTimeOffset.MaxValue;
        var sent = 0;
        for (var step = 0; sent < requests || running is not null || pending.Count > 0; step++)
        {
            Time.Advance(Step);
            if (running is not null && Time.GetUtcNow() >= runningEnd)
            {
                held.Release(running);
                foreach (var request in running.Batch)
                {
                    Assert.True((await pending[request.Id!]).IsSuccess);
                    pending.Remove(request.Id!);
                }

                running = null;
            }

            for (var i = 0; i < burst && sent < requests && step % every == 0; i++, sent++)
            {
                pending[$"r{sent}"] = engine.Infer(Request($"r{sent}"));
            }

            if (running is null && Metrics.Gauge("augur.instance.busy") == 1)
            {
                running = await held.NextStartAsync();
                runningEnd = Time.GetUtcNow() + cost(running.Batch.Count);
            }

            Assert.True(step < 100_000, "the run did not finish");
        }

        return (Metrics.Of("augur.batch.size").Select(r => ((int)r.Value, r.Tags["reason"]!)).ToList(), Metrics.Gauge("augur.batch.target"));
    }

    [Fact]
    public async Task Under_load_it_waits_for_the_batch_size_a_hand_computation_gives()
    {
        var (batches, target) = await RunOpenLoop("{}", rows => LinearCost(1, 0.1, rows), requests: 3000, every: 2);

        // The last batch takes what is left when the requests stop.
        var late = batches[^41..^1];
        Assert.All(late, b => Assert.InRange(b.Size, 25, 26));
        Assert.All(late, b => Assert.Equal("waited", b.Reason));
        Assert.Equal(40, target);
    }

    [Fact]
    public async Task With_no_wait_configured_the_same_load_runs_batches_of_ten()
    {
        var (batches, target) = await RunOpenLoop("""{"max_queue_delay_microseconds": 0}""", rows => LinearCost(1, 0.1, rows), requests: 3000, every: 2);

        Assert.All(batches[^41..^1], b => Assert.InRange(b.Size, 9, 11));
        Assert.Equal(1, target);
    }

    [Fact]
    public async Task A_model_with_no_fixed_cost_never_waits()
    {
        // Three requests every 0.5 ms (6,000/s) at 0.1 ms per sample: the first runs alone, the other two together.
        var (batches, target) = await RunOpenLoop("{}", rows => LinearCost(0, 0.1, rows), requests: 1500, every: 5, burst: 3);

        Assert.All(batches, b => Assert.Equal("immediate", b.Reason));
        Assert.Equal(1, target);
        Assert.Equal(Enumerable.Repeat(new[] { 1, 2 }, 500).SelectMany(x => x), batches.Select(b => b.Size));
    }

    [Fact]
    public async Task The_same_bursts_on_a_model_with_a_fixed_cost_wait()
    {
        var (batches, _) = await RunOpenLoop("{}", rows => LinearCost(1, 0.1, rows), requests: 1500, every: 5, burst: 3);

        Assert.Contains(batches, b => b.Reason == "waited");
        Assert.True(batches[^21..^1].All(b => b.Size > 2), string.Join(",", batches[^20..]));
    }
}
