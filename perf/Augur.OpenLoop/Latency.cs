using System.Diagnostics;
using HdrHistogram;

namespace Augur.OpenLoop;

/// <summary>Latencies are recorded in microseconds, from <see cref="Stopwatch"/> timestamps.</summary>
internal static class Latency
{
    /// <summary>The largest latency a histogram tracks (60 s); longer ones are recorded as this.</summary>
    public const long MaxMicroseconds = 60_000_000;

    public static LongHistogram CreateHistogram() => new(MaxMicroseconds, 3);

    public static LongConcurrentHistogram CreateConcurrentHistogram() => new(1, MaxMicroseconds, 3);

    public static long Microseconds(long fromTimestamp, long toTimestamp) =>
        Math.Clamp((toTimestamp - fromTimestamp) * 1_000_000 / Stopwatch.Frequency, 0, MaxMicroseconds);

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static double PercentileMs(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? double.NaN : histogram.GetValueAtPercentile(percentile) / 1000.0;
}
