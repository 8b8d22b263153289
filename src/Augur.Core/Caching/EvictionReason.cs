namespace Augur.Caching;

/// <summary>Why an entry left the in-process level (the <c>reason</c> tag of <c>augur.cache.evictions</c>).</summary>
internal enum EvictionReason
{
    /// <summary>The level was full: the least recently used entries made room.</summary>
    Capacity,

    /// <summary>Its time to live ran out.</summary>
    Expired,

    /// <summary>Its version was retired (unloaded, or replaced by a reload or a new version).</summary>
    Unloaded,
}
