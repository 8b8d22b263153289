using Augur.Caching;

namespace Augur.Diagnostics;

/// <summary>The response cache's instruments bound to one model version's tags, so a hit records without allocating.</summary>
internal sealed class VersionCacheMetrics
{
    private readonly CacheMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _memoryHit;
    private readonly KeyValuePair<string, object?>[] _distributedHit;
    private readonly KeyValuePair<string, object?>[] _hitLookup;
    private readonly KeyValuePair<string, object?>[] _missLookup;
    private readonly KeyValuePair<string, object?>[][] _evicted;
    private long _bytes;
    private long _entries;

    public VersionCacheMetrics(CacheMetrics metrics, string model, string version)
    {
        _metrics = metrics;
        Tags = [new("model", model), new("version", version)];
        _memoryHit = [.. Tags, new("level", "memory")];
        _distributedHit = [.. Tags, new("level", "distributed")];
        _hitLookup = [.. Tags, new("result", "hit")];
        _missLookup = [.. Tags, new("result", "miss")];
        _evicted = Enum.GetValues<EvictionReason>().Select(r => (KeyValuePair<string, object?>[])[.. Tags, new("reason", r.ToString().ToLowerInvariant())]).ToArray();
    }

    public KeyValuePair<string, object?>[] Tags { get; }

    public long Bytes => Volatile.Read(ref _bytes);

    public long Entries => Volatile.Read(ref _entries);

    public void Hit(bool distributed, TimeSpan lookup)
    {
        _metrics.Hits.Add(1, distributed ? _distributedHit : _memoryHit);
        _metrics.LookupDuration.Record(lookup.TotalSeconds, _hitLookup);
    }

    public void Miss(TimeSpan lookup)
    {
        _metrics.Misses.Add(1, Tags);
        _metrics.LookupDuration.Record(lookup.TotalSeconds, _missLookup);
    }

    public void Coalesced() => _metrics.Coalesced.Add(1, Tags);

    public void Evicted(EvictionReason reason) => _metrics.Evictions.Add(1, _evicted[(int)reason]);

    /// <summary>An entry of <paramref name="bytes"/> came (<paramref name="entries"/> 1) or went (-1); called under the level's lock.</summary>
    public void Held(long bytes, int entries)
    {
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _entries, entries);
    }

    public void Unregister() => _metrics.Remove(this);
}
