using Augur.Tensors;

namespace Augur.Caching;

/// <summary>One answer in the in-process level: its payload, where it sits in the recency list, and who owns it.</summary>
internal sealed class CacheEntry(UInt128 key, ResponseCacheStage owner, byte[] payload, PayloadContents contents, long expiresAt)
{
    /// <summary>What each entry costs beyond its payload: this object, the tensors and their list, the dictionary slot.</summary>
    public const int Overhead = 256;

    public UInt128 Key { get; } = key;

    /// <summary>The version's stage; entries of one stage go when it is disposed (its version retired).</summary>
    public ResponseCacheStage Owner { get; } = owner;

    /// <summary>The bytes the entry was built from: also what the distributed level stores.</summary>
    public byte[] Payload { get; } = payload;

    public ReadOnlySpan<byte> Material => contents.Material;

    /// <summary>The stored outputs in signature order; read-only, and a list a caller cannot cast back to an array.</summary>
    public IReadOnlyList<InferenceTensor> Outputs => contents.Outputs;

    /// <summary>Bytes counted against the level's size.</summary>
    public long Size { get; } = payload.LongLength + Overhead;

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> from which the entry is no longer served.</summary>
    public long ExpiresAt { get; } = expiresAt;

    // The recency list, guarded by the level's lock.
    public CacheEntry? Newer { get; set; }

    public CacheEntry? Older { get; set; }
}
