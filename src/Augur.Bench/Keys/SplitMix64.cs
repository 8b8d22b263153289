namespace Augur.Bench.Keys;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014): a counter-based generator. <see cref="Mix"/> of distinct inputs gives
/// well-spread, independent-looking outputs, so a draw can be computed from its index alone, on any thread.
/// </summary>
internal static class SplitMix64
{
    /// <summary>The golden-ratio increment between consecutive states.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15;

    /// <summary>The output function: a bijection of 64-bit values.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>The value of draw <paramref name="index"/> of the stream started from <paramref name="seed"/>.</summary>
    public static ulong At(ulong seed, ulong index) => Mix(Mix(seed) + ((index + 1) * Gamma));

    /// <summary>A double uniform in [0, 1) from the top 53 bits of <paramref name="bits"/>.</summary>
    public static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
