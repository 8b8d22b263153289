using Microsoft.Extensions.Caching.Distributed;

namespace Augur.Caching;

/// <summary>
/// The engine's response cache (<see cref="ResponseCacheEngineBuilderExtensions.UseResponseCache"/>): an in-process level
/// bounded in bytes (least recently used answers go first) and, optionally, a distributed level shared by replicas. Only
/// models whose config.json says <c>"response_cache": {"enable": true}</c> use it. A distributed cache that is slow or
/// down never fails a request: each call waits at most <see cref="DistributedTimeout"/>, then the request goes on
/// uncached and the failure is counted (<c>augur.cache.distributed.failures</c>).
/// </summary>
public sealed class ResponseCacheOptions
{
    /// <summary>The default <see cref="SizeBytes"/>: 256 MiB.</summary>
    public const long DefaultSizeBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Bytes the in-process level may hold, all models together: each entry counts its outputs, the request's inputs
    /// (kept to tell requests apart) and a fixed 256 bytes for the objects around them. 0 keeps nothing in process
    /// (only the distributed level, if any). Default <see cref="DefaultSizeBytes"/>.
    /// </summary>
    public long SizeBytes { get; set; } = DefaultSizeBytes;

    /// <summary>The largest entry kept, in bytes; larger answers are not cached. Null (the default) is 1/8 of <see cref="SizeBytes"/>, at least 64 KiB.</summary>
    public long? MaxEntryBytes { get; set; }

    /// <summary>A cache shared with other replicas (Redis, say), consulted after the in-process level misses; null for none (the default).</summary>
    public IDistributedCache? Distributed { get; set; }

    /// <summary>The longest a request waits for one call to <see cref="Distributed"/> before it goes on without it. Default 50 ms; from 1 ms to 1 minute.</summary>
    public TimeSpan DistributedTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// After a failed or timed-out call, how long requests skip <see cref="Distributed"/> before it is tried again, so an
    /// outage costs one <see cref="DistributedTimeout"/> now and then rather than on every request. Default 1 s; from 0 to 1 hour.
    /// </summary>
    public TimeSpan DistributedRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Writes to <see cref="Distributed"/> that may be under way at once; further answers are not written (and counted). Default 64.</summary>
    public int MaxPendingDistributedWrites { get; set; } = 64;

    /// <summary>The prefix of every key written to <see cref="Distributed"/>. Default <c>augur:response:</c>.</summary>
    public string DistributedKeyPrefix { get; set; } = "augur:response:";

    /// <summary>How long an answer stays usable when its model's config.json sets no <c>ttl_seconds</c>. Default 1 hour; from 1 s to 30 days.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A copy that later changes to this object do not affect, checked; throws <see cref="ArgumentOutOfRangeException"/> naming the bad option.</summary>
    internal ResponseCacheOptions Validated()
    {
        var copy = (ResponseCacheOptions)MemberwiseClone();
        if (copy.SizeBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SizeBytes), copy.SizeBytes, "must be 0 or more bytes");
        }

        copy.MaxEntryBytes ??= Math.Max(copy.SizeBytes / 8, 64 * 1024);
        if (copy.MaxEntryBytes <= 0 || copy.MaxEntryBytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntryBytes), copy.MaxEntryBytes, "must be from 1 to 2147483647 bytes");
        }

        if (copy.DistributedTimeout < TimeSpan.FromMilliseconds(1) || copy.DistributedTimeout > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(DistributedTimeout), copy.DistributedTimeout, "must be from 1 ms to 1 minute");
        }

        if (copy.DistributedRetryDelay < TimeSpan.Zero || copy.DistributedRetryDelay > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(DistributedRetryDelay), copy.DistributedRetryDelay, "must be from 0 to 1 hour");
        }

        if (copy.MaxPendingDistributedWrites < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingDistributedWrites), copy.MaxPendingDistributedWrites, "must be 1 or more");
        }

        ArgumentNullException.ThrowIfNull(copy.DistributedKeyPrefix, nameof(DistributedKeyPrefix));
        if (copy.DefaultTimeToLive < TimeSpan.FromSeconds(1) || copy.DefaultTimeToLive > TimeSpan.FromSeconds(Models.ResponseCacheConfig.MaxTimeToLiveSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultTimeToLive), copy.DefaultTimeToLive, "must be from 1 s to 30 days");
        }

        return copy;
    }
}
