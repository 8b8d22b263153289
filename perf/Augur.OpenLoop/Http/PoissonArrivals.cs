using System.Diagnostics;

namespace Augur.OpenLoop.Http;

/// <summary>
/// Arrival times of a Poisson process at a target rate: exponential gaps from a seeded <see cref="Random"/>,
/// so the same seed and rate give the same schedule. Times are absolute <see cref="Stopwatch"/> timestamps.
/// </summary>
internal sealed class PoissonArrivals(long start, double ratePerSecond, int seed)
{
    private readonly Random _random = new(seed);
    private readonly double _meanGapTicks = Stopwatch.Frequency / ratePerSecond;

    // Accumulated as a double so rounding to whole ticks never drifts the rate.
    private double _next = start;

    public long Next()
    {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        _next += -Math.Log(1.0 - _random.NextDouble()) * _meanGapTicks;
        return (long)_next;
    }
}
