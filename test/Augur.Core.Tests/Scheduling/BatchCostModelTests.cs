using Augur.Scheduling;

namespace Augur.Core.Tests.Scheduling;

/// <summary>The learned cost curve: a fixed part and a part per sample, from the batches that ran.</summary>
public sealed class BatchCostModelTests
{
    [Fact]
    public void Batches_of_different_sizes_give_the_fixed_and_per_sample_parts()
    {
        var cost = new BatchCostModel();
        foreach (var rows in new[] { 1, 4, 2, 8, 3, 16 })
        {
            cost.Observe(rows, 1000 + (100 * rows));
        }

        Assert.True(cost.IsKnown);
        Assert.Equal(1000, cost.FixedTicks, 3);
        Assert.Equal(100, cost.PerRowTicks, 3);
        Assert.Equal(1000 + 3200, cost.Predict(32));
    }

    [Fact]
    public void Batches_of_one_size_leave_the_split_unknown_and_predict_by_the_mean_per_sample()
    {
        var cost = new BatchCostModel();
        for (var i = 0; i < 5; i++)
        {
            cost.Observe(1, 500);
        }

        Assert.False(cost.IsKnown);
        Assert.Equal(0, cost.FixedTicks);
        Assert.Equal(4000, cost.Predict(8));
    }

    [Fact]
    public void A_known_curve_survives_a_run_of_one_size_and_follows_its_level()
    {
        var cost = new BatchCostModel();
        foreach (var rows in new[] { 1, 10, 1, 10 })
        {
            cost.Observe(rows, 1000 + (100 * rows));
        }

        for (var i = 0; i < 500; i++)
        {
            cost.Observe(25, 1000 + 2500);
        }

        Assert.True(cost.IsKnown);
        Assert.Equal(100, cost.PerRowTicks, 3);
        Assert.Equal(1000, cost.FixedTicks, 3);

        // The machine slows down while the batches keep their size: the prediction for that size follows.
        for (var i = 0; i < 500; i++)
        {
            cost.Observe(25, 4500);
        }

        Assert.True(cost.IsKnown);
        Assert.Equal(4500, cost.Predict(25));
    }

    [Fact]
    public void Noise_that_tilts_the_line_below_zero_is_clamped()
    {
        var cost = new BatchCostModel();
        cost.Observe(1, 3000);
        cost.Observe(8, 1000);

        Assert.True(cost.IsKnown);
        // No slope: every batch costs the weighted mean, the older one weighing the forgetting factor.
        Assert.Equal(0, cost.PerRowTicks);
        Assert.Equal(((BatchCostModel.Forgetting * 3000) + 1000) / (BatchCostModel.Forgetting + 1), cost.FixedTicks, 6);
    }
}
