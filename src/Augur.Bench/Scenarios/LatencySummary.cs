using HdrHistogram;

namespace Augur.Bench.Scenarios;

/// <summary>The latency of one group of a run's queries (its successes, its refusals, all of them): how many, p50, p99 and max, in ms.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>The summary of the nanosecond latencies in <paramref name="histogram"/>; null when it holds none.</summary>
    internal static LatencySummary? Of(HistogramBase histogram) => histogram.TotalCount == 0
        ? null
        : new LatencySummary(
            histogram.TotalCount,
            histogram.GetValueAtPercentile(50) / 1e6,
            histogram.GetValueAtPercentile(99) / 1e6,
            histogram.GetMaxValue() / 1e6);
}
