namespace Augur.Scheduling;

/// <summary>
/// What a batch of a model version costs, learned online from the batches it runs: compute time as a fixed part plus
/// a part per sample, <c>t(b) = fixed + perRow × b</c>, fitted by least squares over recent batches with older ones
/// weighing less (each new batch multiplies the weight of the others by <see cref="Forgetting"/>), so a model that
/// slows down (a busier machine, longer inputs) is followed within a few dozen batches.
/// <para>
/// The two parts can be told apart only once batches of different sizes have run. Until then <see cref="IsKnown"/>
/// is false and <see cref="Predict"/> scales the mean cost per sample. Once known, a run of batches of one size keeps
/// the per-sample part and moves the fixed part with their mean. Not thread-safe; the batcher holds its lock.
/// </para>
/// </summary>
internal sealed class BatchCostModel
{
    /// <summary>The weight a batch keeps when the next one is observed.</summary>
    public const double Forgetting = 0.97;

    // Sums of weights, sizes, times, sizes², sizes × times; times in timestamp ticks.
    private double _weight;
    private double _rows;
    private double _ticks;
    private double _rowsSquared;
    private double _rowsTicks;

    /// <summary>Batches observed.</summary>
    public long Batches { get; private set; }

    /// <summary>True once the fixed and per-sample parts are known apart (batches of different sizes have run).</summary>
    public bool IsKnown { get; private set; }

    /// <summary>The fixed part of a batch's compute time, in timestamp ticks (0 until known).</summary>
    public double FixedTicks { get; private set; }

    /// <summary>The compute time each sample adds, in timestamp ticks.</summary>
    public double PerRowTicks { get; private set; }

    /// <summary>Feeds a batch of <paramref name="rows"/> samples that computed for <paramref name="ticks"/>.</summary>
    public void Observe(int rows, long ticks)
    {
        if (rows <= 0 || ticks < 0)
        {
            return;
        }

        _weight = (_weight * Forgetting) + 1;
        _rows = (_rows * Forgetting) + rows;
        _ticks = (_ticks * Forgetting) + ticks;
        _rowsSquared = (_rowsSquared * Forgetting) + ((double)rows * rows);
        _rowsTicks = (_rowsTicks * Forgetting) + ((double)rows * ticks);
        Batches++;
        Fit();
    }

    /// <summary>The expected compute time of a batch of <paramref name="rows"/> samples, in ticks; 0 before any batch ran.</summary>
    public long Predict(int rows) => Batches == 0 ? 0 : (long)Math.Round(FixedTicks + (PerRowTicks * Math.Max(rows, 1)));

    private void Fit()
    {
        var meanRows = _rows / _weight;
        var meanTicks = _ticks / _weight;
        var variance = (_rowsSquared / _weight) - (meanRows * meanRows);

        // Sizes that hardly vary cannot separate the two parts. Before any split is known, the mean cost is all per
        // sample; after, the last known per-sample part stays and the fixed part follows the mean (batches that settled
        // on one size must not forget the curve that chose it).
        if (variance < 0.01 * Math.Max(1, meanRows))
        {
            if (IsKnown)
            {
                FixedTicks = Math.Max(0, meanTicks - (PerRowTicks * meanRows));
            }
            else
            {
                PerRowTicks = meanTicks / meanRows;
            }

            return;
        }

        var slope = ((_rowsTicks / _weight) - (meanRows * meanTicks)) / variance;
        var intercept = meanTicks - (slope * meanRows);

        // Noise can tilt the line either way; a cost is never negative, so clamp and refit the other part to the mean.
        if (slope < 0)
        {
            slope = 0;
            intercept = meanTicks;
        }
        else if (intercept < 0)
        {
            intercept = 0;
            slope = meanTicks / meanRows;
        }

        IsKnown = true;
        FixedTicks = intercept;
        PerRowTicks = slope;
    }
}
