using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Augur.Bench.Targets;
using HdrHistogram;

namespace Augur.Bench.Scenarios;

/// <summary>
/// Latencies in nanoseconds in HdrHistograms (3 significant digits, up to 60 s; longer ones are recorded as 60 s): of
/// the successes, of the refusals and of every query; plus the window's counts, how many answers had each status class,
/// how many successes were within <paramref name="latencyBound"/> (if any), and how many answers named each
/// <c>prediction_source</c>. Thread-safe.
/// </summary>
internal sealed class LatencyRecorder(long frequency, TimeSpan? latencyBound = null)
{
    private const long MaxNanoseconds = 60_000_000_000;

    private readonly LongConcurrentHistogram _histogram = new(1, MaxNanoseconds, 3);
    private readonly LongConcurrentHistogram _refusals = new(1, MaxNanoseconds, 3);
    private readonly LongConcurrentHistogram _all = new(1, MaxNanoseconds, 3);
    private readonly long? _boundTicks = latencyBound is { } bound ? (long)(bound.TotalSeconds * frequency) : null;
    private readonly ConcurrentDictionary<string, StatusCount> _statuses = new(StringComparer.Ordinal);
    private long _withinBound;
    private readonly LongConcurrentHistogram _sendLag = new(1, MaxNanoseconds, 3);
    private long _queries;
    private long _samples;
    private long _errors;
    private string? _firstError;
    private long _lastCompletion = long.MinValue;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _sources = new(StringComparer.Ordinal);
    private long _unsourced;

    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Server: how late a query started, from its scheduled time to the moment the target was called.</summary>
    public void RecordSendLag(long scheduled, long sent) =>
        _sendLag.RecordValue(Math.Clamp((long)((sent - scheduled) * (1e9 / frequency)), 1, MaxNanoseconds));

    public void Record(long from, long to, int samples, QueryOutcome outcome)
    {
        var nanoseconds = Math.Clamp((long)((to - from) * (1e9 / frequency)), 1, MaxNanoseconds);
        _all.RecordValue(nanoseconds);
        var status = _statuses.GetOrAdd(outcome.Status, static s => new StatusCount(StatusClasses.IsRefusal(s)));
        Interlocked.Increment(ref status.Count);
        if (outcome.Error is null)
        {
            _histogram.RecordValue(nanoseconds);
            Interlocked.Increment(ref _queries);
            if (to - from <= _boundTicks)
            {
                Interlocked.Increment(ref _withinBound);
            }

            Interlocked.Add(ref _samples, samples);
            if (outcome.Source is { } source)
            {
                Interlocked.Increment(ref _sources.GetOrAdd(source, static _ => new StrongBox<long>()).Value);
            }
            else
            {
                Interlocked.Increment(ref _unsourced);
            }
        }
        else
        {
            if (status.Refusal)
            {
                _refusals.RecordValue(nanoseconds);
            }

            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, outcome.Error, null);
        }

        long seen;
        while ((seen = Interlocked.Read(ref _lastCompletion)) < to && Interlocked.CompareExchange(ref _lastCompletion, to, seen) != seen)
        {
        }
    }

    /// <summary>The result; the window runs from <paramref name="windowStart"/> to the last completion (or <paramref name="windowEnd"/>, whichever is later).</summary>
    public RunResult ToResult(Scenario scenario, double? targetQps, long windowStart, long windowEnd)
    {
        var end = Math.Max(windowEnd, Interlocked.Read(ref _lastCompletion));
        var seconds = Math.Max(end - windowStart, 1) / (double)frequency;
        var h = _histogram.Copy();
        double Ms(double percentile) => h.TotalCount == 0 ? double.NaN : h.GetValueAtPercentile(percentile) / 1e6;
        return new RunResult(
            scenario.ToString(),
            targetQps,
            Queries,
            Interlocked.Read(ref _samples),
            Interlocked.Read(ref _errors),
            Volatile.Read(ref _firstError),
            seconds,
            Queries / seconds,
            Interlocked.Read(ref _samples) / seconds,
            h.TotalCount == 0 ? double.NaN : h.GetMean() / 1e6,
            Ms(50),
            Ms(90),
            Ms(99),
            Ms(99.9),
            h.TotalCount == 0 ? double.NaN : h.GetMaxValue() / 1e6,
            Buckets(h))
        {
            SendLagP99Ms = _sendLag.TotalCount == 0 ? null : _sendLag.GetValueAtPercentile(99) / 1e6,
            PredictionSources = Sources(),
            Statuses = Statuses(),
            Refusals = _refusals.TotalCount,
            SuccessLatency = LatencySummary.Of(h),
            RefusalLatency = LatencySummary.Of(_refusals.Copy()),
            AllLatency = LatencySummary.Of(_all.Copy()),
            GoodputPerSecond = Queries / seconds,
            LatencyBoundMs = latencyBound?.TotalMilliseconds,
            GoodputWithinBoundPerSecond = _boundTicks is null ? null : Interlocked.Read(ref _withinBound) / seconds,
        };
    }

    /// <summary>Answers per status class, in name order.</summary>
    private SortedDictionary<string, long> Statuses()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (status, count) in _statuses)
        {
            counts[status] = Interlocked.Read(ref count.Count);
        }

        return counts;
    }

    /// <summary>
    /// Answers per source, in name order, with <see cref="RunResult.UnstatedSource"/> for answers that named none; null
    /// when no answer named one (a model with nothing but the model to answer says nothing).
    /// </summary>
    private SortedDictionary<string, long>? Sources()
    {
        if (_sources.IsEmpty)
        {
            return null;
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (source, count) in _sources)
        {
            counts[source] = Interlocked.Read(ref count.Value);
        }

        if (Interlocked.Read(ref _unsourced) is > 0 and var unsourced)
        {
            counts[RunResult.UnstatedSource] = unsourced;
        }

        return counts;
    }

    /// <summary>The answers of one status class, and whether that class is a refusal (decided once per class).</summary>
    private sealed class StatusCount(bool refusal)
    {
        public long Count;

        public bool Refusal { get; } = refusal;
    }

    /// <summary>About 40 log-spaced buckets between the smallest and largest latency.</summary>
    private static HistogramBucket[] Buckets(HistogramBase h)
    {
        if (h.TotalCount == 0)
        {
            return [];
        }

        var min = Math.Max(1, h.GetValueAtPercentile(0));
        var max = Math.Max(min + 1, h.GetMaxValue());
        const int Count = 40;
        var factor = Math.Pow((double)max / min, 1.0 / Count);
        var buckets = new List<HistogramBucket>(Count + 1);
        var lower = 0L;
        var bound = (double)min;
        for (var i = 0; i <= Count; i++)
        {
            var upper = i == Count ? max : (long)bound;
            long count = 0;
            foreach (var value in h.RecordedValues())
            {
                var v = value.ValueIteratedTo;
                if (v > lower && v <= upper || (i == 0 && v <= upper))
                {
                    count += value.CountAtValueIteratedTo;
                }
            }

            buckets.Add(new HistogramBucket(upper / 1e6, count));
            lower = upper;
            bound *= factor;
        }

        return buckets.ToArray();
    }
}
