using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Augur.Diagnostics;

/// <summary>
/// The response cache's instruments, on the engine's meter (<see cref="EngineMetrics.MeterName"/>), created when the
/// first model that caches loads. Per model version (tags <c>model</c>, <c>version</c>): <c>augur.cache.hits</c> (tag
/// <c>level</c>: memory or distributed), <c>augur.cache.misses</c>, <c>augur.cache.coalesced</c> (misses that waited for
/// an identical request's run instead of running the model), <c>augur.cache.evictions</c> (tag <c>reason</c>),
/// <c>augur.cache.lookup.duration</c> (tag <c>result</c>), and the gauges <c>augur.cache.bytes</c> and
/// <c>augur.cache.entries</c>. For the engine: <c>augur.cache.distributed.failures</c> (tags <c>operation</c>: get or
/// set, <c>reason</c>: timeout, error, invalid or skipped).
/// </summary>
internal sealed class CacheMetrics
{
    // Seconds, from 1 µs (an in-process hit) to 1 s (a distributed cache far away).
    private static readonly IReadOnlyList<double> LookupBuckets =
        [0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly ConcurrentDictionary<VersionCacheMetrics, byte> _versions = new();

    public CacheMetrics(Meter meter)
    {
        Hits = meter.CreateCounter<long>("augur.cache.hits", "{request}", "Requests answered from the response cache, by level (memory, distributed).");
        Misses = meter.CreateCounter<long>("augur.cache.misses", "{request}", "Requests of a caching model the response cache could not answer.");
        Coalesced = meter.CreateCounter<long>("augur.cache.coalesced", "{request}", "Misses that waited for an identical request's model run instead of running the model.");
        Evictions = meter.CreateCounter<long>("augur.cache.evictions", "{entry}", "Entries that left the in-process level, by reason (capacity, expired, unloaded).");
        LookupDuration = meter.CreateHistogram<double>("augur.cache.lookup.duration", "s", "Time to find a request's answer in the cache, or to know it is not there.", advice: new() { HistogramBucketBoundaries = LookupBuckets });
        DistributedFailures = meter.CreateCounter<long>("augur.cache.distributed.failures", "{call}", "Calls to the distributed cache that failed, timed out, returned an unusable entry, or were skipped after a failure.");
        meter.CreateObservableGauge("augur.cache.bytes", () => _versions.Keys.Select(v => new Measurement<long>(v.Bytes, v.Tags)).ToArray(), "By", "Bytes the in-process level holds for the model version.");
        meter.CreateObservableGauge("augur.cache.entries", () => _versions.Keys.Select(v => new Measurement<long>(v.Entries, v.Tags)).ToArray(), "{entry}", "Entries the in-process level holds for the model version.");
    }

    public Counter<long> Hits { get; }

    public Counter<long> Misses { get; }

    public Counter<long> Coalesced { get; }

    public Counter<long> Evictions { get; }

    public Histogram<double> LookupDuration { get; }

    public Counter<long> DistributedFailures { get; }

    public VersionCacheMetrics ForVersion(string model, string version)
    {
        var metrics = new VersionCacheMetrics(this, model, version);
        _versions[metrics] = 0;
        return metrics;
    }

    public void Remove(VersionCacheMetrics metrics) => _versions.TryRemove(metrics, out _);

    public void DistributedFailed(string operation, string reason) =>
        DistributedFailures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("reason", reason));
}
