using Augur.Models;
using Augur.Scheduling;

namespace Augur.Core.Tests.Scheduling;

/// <summary>The additive-increase, multiplicative-decrease rule itself, fed batch by batch.</summary>
public sealed class AdaptiveBatchLimitTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(9);

    /// <summary>p99 of 15 ms: a compute budget of 7.5 ms and one slow batch allowed in each window of 100.</summary>
    private static AdaptiveBatchLimit Create(double percentile = 99, int maxBatchSize = 64) =>
        new(new LatencyObjective(percentile, TimeSpan.FromMilliseconds(15)), maxBatchSize);

    private static void GrowTo(AdaptiveBatchLimit limit, int target)
    {
        while (limit.Limit < target)
        {
            limit.Observe(limit.Limit, Fast);
        }
    }

    [Fact]
    public void StartsAtOne_GrowsByOnePerFullBatchWithinBudget_UpToTheMaxBatchSize()
    {
        var limit = Create(maxBatchSize: 3);

        Assert.Equal(TimeSpan.FromMilliseconds(7.5), limit.Budget);
        Assert.Equal(1, limit.Limit);
        limit.Observe(1, Fast);
        Assert.Equal(2, limit.Limit);
        limit.Observe(1, Fast);
        Assert.Equal(2, limit.Limit);
        limit.Observe(2, TimeSpan.FromMilliseconds(7.5));
        Assert.Equal(3, limit.Limit);
        limit.Observe(3, Fast);
        Assert.Equal(3, limit.Limit);
    }

    [Fact]
    public void OneSlowBatchInTheWindow_IsTolerated_TheSecondCutsTheLimitBy10Percent()
    {
        var limit = Create();
        GrowTo(limit, 20);

        limit.Observe(20, Slow);
        Assert.Equal((20, 0), (limit.Limit, limit.Decreases));
        limit.Observe(20, Slow);
        Assert.Equal((18, 1), (limit.Limit, limit.Decreases));
    }

    [Fact]
    public void AfterACut_TheCutSizeIsRetriedOnlyAfterAWholeWindowWithinBudget()
    {
        var limit = Create();
        GrowTo(limit, 20);
        limit.Observe(20, Slow);
        limit.Observe(20, Slow);

        limit.Observe(18, Fast);
        Assert.Equal(19, limit.Limit);
        for (var i = 1; i < 99; i++)
        {
            limit.Observe(19, Fast);
            Assert.Equal(19, limit.Limit);
        }

        limit.Observe(19, Fast);
        Assert.Equal(20, limit.Limit);
    }

    [Fact]
    public void Percentile100_CutsOnTheFirstSlowBatch()
    {
        var limit = Create(percentile: 100);
        GrowTo(limit, 10);

        limit.Observe(10, Slow);

        Assert.Equal((9, 1), (limit.Limit, limit.Decreases));
    }

    [Fact]
    public void A_slow_batch_below_the_limit_does_not_count()
    {
        var limit = Create(percentile: 100);
        GrowTo(limit, 10);

        limit.Observe(4, Slow);
        limit.Observe(9, Slow);

        Assert.Equal((10, 0), (limit.Limit, limit.Decreases));
    }

    [Fact]
    public void Percentile99_9_ToleratesOneSlowBatchInAThousand()
    {
        var limit = Create(percentile: 99.9);
        GrowTo(limit, 10);

        limit.Observe(10, Slow);
        Assert.Equal((10, 0), (limit.Limit, limit.Decreases));
        limit.Observe(10, Slow);
        Assert.Equal((9, 1), (limit.Limit, limit.Decreases));
    }

    [Fact]
    public void NeverDropsBelowOne()
    {
        var limit = Create(percentile: 100);

        limit.Observe(1, Slow);
        limit.Observe(1, Slow);

        Assert.Equal((1, 2), (limit.Limit, limit.Decreases));
    }
}
