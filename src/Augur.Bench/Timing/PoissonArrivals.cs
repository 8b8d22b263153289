namespace Augur.Bench.Timing;

/// <summary>
/// Arrival times of a Poisson process at a target rate: exponential gaps from a seeded <see cref="Random"/>, so the
/// same seed and rate give the same schedule. Times are absolute timestamps of a clock with <c>frequency</c> ticks per second.
/// </summary>
internal sealed class PoissonArrivals(long start, double ratePerSecond, int seed, long frequency)
{
    private readonly Random _random = new(seed);
    private readonly double _meanGapTicks = frequency / ratePerSecond;

    // Accumulated as a double so rounding to whole ticks never drifts the rate.
    private double _next = start;

    public long Next()
    {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        _next += -Math.Log(1.0 - _random.NextDouble()) * _meanGapTicks;
        return (long)_next;
    }
}
