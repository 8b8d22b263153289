namespace Augur.Bench.Keys;

/// <summary>
/// The keys a run sends, drawn from a <see cref="ZipfDistribution"/>. Draw i inverts the distribution at a uniform
/// value computed from the seed and i alone (SplitMix64), so one seed gives the same keys in the same order on every
/// run and machine, whichever thread takes which draw. Thread-safe.
/// </summary>
public sealed class KeySequence(ZipfDistribution distribution, int seed)
{
    private long _drawn = -1;

    /// <summary>The distribution the keys come from.</summary>
    public ZipfDistribution Distribution { get; } = distribution ?? throw new ArgumentNullException(nameof(distribution));

    /// <summary>The next key: the one at the next unused index.</summary>
    public int Next() => At(Interlocked.Increment(ref _drawn));

    /// <summary>The key of draw <paramref name="index"/> (0-based).</summary>
    public int At(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Distribution.Sample(SplitMix64.ToUnit(SplitMix64.At((ulong)(long)seed, (ulong)index)));
    }
}
