namespace Augur.Caching;

/// <summary>
/// The in-process level: a least-recently-used map bounded in bytes, shared by every cached model of one engine. An add
/// that overflows evicts the oldest entries there and then, on the adding thread, so the bound always holds and every
/// eviction is counted where it happens. One lock guards the map and the recency list; a hit holds it for a dictionary
/// lookup and two pointer moves.
/// </summary>
internal sealed class MemoryLevel(long capacity)
{
    private readonly object _gate = new();
    private readonly Dictionary<UInt128, CacheEntry> _entries = [];
    private CacheEntry? _newest;
    private CacheEntry? _oldest;
    private long _bytes;

    public long Capacity { get; } = capacity;

    /// <summary>Bytes held now (payloads plus the fixed overhead per entry).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The live entry under <paramref name="key"/> that <paramref name="owner"/> stored, now the most recently used; null
    /// when there is none (an expired one is dropped). The caller still compares the key material.
    /// </summary>
    public CacheEntry? Find(UInt128 key, ResponseCacheStage owner, long now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || !ReferenceEquals(entry.Owner, owner))
            {
                return null;
            }

            if (now >= entry.ExpiresAt)
            {
                Remove(entry, EvictionReason.Expired);
                return null;
            }

            if (!ReferenceEquals(entry, _newest))
            {
                Unlink(entry);
                LinkNewest(entry);
            }

            return entry;
        }
    }

    /// <summary>Keeps <paramref name="entry"/> (replacing any entry under its key), evicting the least recently used to make room.</summary>
    public void Add(CacheEntry entry)
    {
        if (entry.Size > Capacity)
        {
            return;
        }

        lock (_gate)
        {
            // A stage that is gone must not leave entries nobody can reach or remove.
            if (entry.Owner.IsDisposed)
            {
                return;
            }

            if (_entries.Remove(entry.Key, out var previous))
            {
                Unlink(previous);
                Account(previous, -1);
            }

            _entries.Add(entry.Key, entry);
            LinkNewest(entry);
            Account(entry, +1);
            while (_bytes > Capacity && _oldest is { } oldest)
            {
                Remove(oldest, EvictionReason.Capacity);
            }
        }
    }

    /// <summary>Drops every entry of <paramref name="owner"/> (its version retired); their memory is free at once.</summary>
    public void RemoveAll(ResponseCacheStage owner)
    {
        lock (_gate)
        {
            for (var entry = _oldest; entry is not null;)
            {
                var newer = entry.Newer;
                if (ReferenceEquals(entry.Owner, owner))
                {
                    Remove(entry, EvictionReason.Unloaded);
                }

                entry = newer;
            }
        }
    }

    private void Remove(CacheEntry entry, EvictionReason reason)
    {
        _entries.Remove(entry.Key);
        Unlink(entry);
        Account(entry, -1);
        entry.Owner.Metrics.Evicted(reason);
    }

    private void Account(CacheEntry entry, int sign)
    {
        _bytes += sign * entry.Size;
        entry.Owner.Metrics.Held(sign * entry.Size, sign);
    }

    private void LinkNewest(CacheEntry entry)
    {
        entry.Older = _newest;
        entry.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = entry;
        }

        _newest = entry;
        _oldest ??= entry;
    }

    private void Unlink(CacheEntry entry)
    {
        if (entry.Newer is not null)
        {
            entry.Newer.Older = entry.Older;
        }
        else
        {
            _newest = entry.Older;
        }

        if (entry.Older is not null)
        {
            entry.Older.Newer = entry.Newer;
        }
        else
        {
            _oldest = entry.Newer;
        }

        entry.Newer = entry.Older = null;
    }
}
