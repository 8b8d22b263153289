using Augur.Inference;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// The batch limit under a latency objective of 15 ms, whose compute budget is half of it, 7.5 ms. The model computes
/// for 1 ms + 0.5 ms per sample of fake time, so 13 samples (7.5 ms) is the largest batch within budget.
/// </summary>
public sealed class AdaptiveBatchingTests() : SchedulingTestBase(withMetrics: true)
{
    private const string Objective = """{"latency_objective": {"percentile": 99, "microseconds": 15000}}""";

    private static TimeSpan Compute(int samples) => TimeSpan.FromMilliseconds(1 + (0.5 * samples));

    /// <summary>
    /// Keeps 100 requests in flight on one instance for <paramref name="batches"/> batches, in lock-step: each batch
    /// waits until the test has replaced the requests it took, so every batch sees the same saturated queue.
    /// Returns the size of each batch.
    /// </summary>
    private async Task<List<int>> RunSaturated(InferenceEngine engine, HeldModel held, int batches)
    {
        var next = 0;
        var results = new List<Task<InferenceResult>>();
        void Submit(int count)
        {
            for (var i = 0; i < count; i++)
            {
                results.Add(engine.Infer(Request($"r{next++}")));
            }
        }

        Submit(100);
        var sizes = new List<int>();
        for (var i = 0; i < batches; i++)
        {
            var call = await held.NextStartAsync();
            sizes.Add(call.Batch.Count);
            Submit(call.Batch.Count);
            held.Release(call);
        }

        held.ReleaseAll();
        Assert.All(await Task.WhenAll(results), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        return sizes;
    }

    [Fact]
    public async Task Limit_StartsAtOne_AndGrowsByOneWhileWithinBudget()
    {
        var held = new HeldModel(EchoSignature, afterRelease: call => Time.Advance(Compute(call.Batch.Count)));
        await using var engine = await StartAsync(Objective, maxBatchSize: 64, spec: held.Spec);
        Assert.Equal(1, Metrics.Gauge("augur.batch.limit"));

        var sizes = await RunSaturated(engine, held, batches: 10);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], sizes);
    }

    [Fact]
    public async Task Limit_ConvergesToTheLargestBatchWithinBudget()
    {
        var held = new HeldModel(EchoSignature, afterRelease: call => Time.Advance(Compute(call.Batch.Count)));
        await using var engine = await StartAsync(Objective, maxBatchSize: 64, spec: held.Spec);

        var sizes = await RunSaturated(engine, held, batches: 400);

        var late = sizes[200..];
        Assert.All(late, size => Assert.InRange(size, 10, 14));
        Assert.InRange(Metrics.Gauge("augur.batch.limit"), 10, 14);
        var withinBudget = late.Count(size => Compute(size) <= TimeSpan.FromMilliseconds(7.5));
        Assert.True(withinBudget >= late.Count * 0.9, $"{withinBudget} of {late.Count} late batches were within budget; sizes: {string.Join(",", late)}");
    }
}
