using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Augur.Tensors;

namespace Augur.Cli.Tests;

/// <summary>
/// Eight elements of each datatype, shape <see cref="Shape"/>: as JSON, values JSON carries exactly (the extremes, −0,
/// subnormals, and NaN and ±∞ as the protocol's strings); as binary data, bit patterns JSON cannot carry (NaN payloads,
/// signalling NaNs, BYTES that are not UTF-8).
/// </summary>
internal static class DataTypeSamples
{
    public static long[] Shape => [2, 4];

    public static JsonArray Json(DataType type) => type switch
    {
        DataType.Bool => [true, false, false, true, true, true, false, true],
        DataType.UInt8 => [0, 255, 1, 128, 127, 2, 254, 42],
        DataType.UInt16 => [0, 65535, 1, 32768, 32767, 2, 65534, 4242],
        DataType.UInt32 => [0, 4294967295u, 1, 2147483648u, 2147483647, 16777217, 4294967294u, 42],
        DataType.UInt64 => [0, ulong.MaxValue, 1, 1UL << 63, long.MaxValue, 9007199254740993UL, ulong.MaxValue - 1, 42],
        DataType.Int8 => [-128, 127, 0, -1, 1, -127, 126, 42],
        DataType.Int16 => [-32768, 32767, 0, -1, 1, -32767, 32766, 4242],
        DataType.Int32 => [int.MinValue, int.MaxValue, 0, -1, 1, 16777217, -16777217, 42],
        DataType.Int64 => [long.MinValue, long.MaxValue, 0, -1, 1, 9007199254740993L, -9007199254740993L, long.MinValue + 1],
        // FP16: the largest finite, the smallest subnormal (2^-24), and 1365 × 2^-12; all exact in FP16.
        DataType.Fp16 => ["NaN", "Infinity", "-Infinity", -0.0, 65504, 5.9604644775390625E-08, 0.333251953125, -1.5],
        // BF16: the largest finite (0x7F7F), the smallest subnormal (2^-133, 0x0001) and 0x3EAB.
        DataType.Bf16 => ["NaN", "Infinity", "-Infinity", -0.0, 3.3895313892515355E+38, 9.183549615799121E-41, 0.333984375, -1.5],
        DataType.Fp32 => ["NaN", "Infinity", "-Infinity", -0.0, 3.4028234663852886E+38, 1.401298464324817E-45, 0.1, 0.33333334],
        DataType.Fp64 => ["NaN", "Infinity", "-Infinity", -0.0, double.MaxValue, double.Epsilon, 0.1, 1.0 / 3],
        DataType.Bytes => ["", "día ☀", "日本語", "🙂", "", "a \"quoted\" \\ word", "tab\tnewline\n", "augur"],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static byte[] Binary(DataType type) => type switch
    {
        DataType.Bool => [1, 0, 0, 1, 1, 1, 0, 1],
        DataType.UInt8 => [0, 255, 1, 128, 127, 0xA5, 254, 0x5A],
        DataType.UInt16 => Raw<ushort>(0, 0xFFFF, 1, 0x8000, 0x7FFF, 0xA5A5, 0xFFFE, 0x5A5A),
        DataType.UInt32 => Raw<uint>(0, uint.MaxValue, 1, 0x8000_0000, 0x7FFF_FFFF, 0xA5A5_A5A5, 0xDEAD_BEEF, 0x0102_0304),
        DataType.UInt64 => Raw<ulong>(0, ulong.MaxValue, 1, 1UL << 63, long.MaxValue, 0xA5A5_A5A5_A5A5_A5A5, 0xDEAD_BEEF_0BAD_F00D, 0x0102_0304_0506_0708),
        DataType.Int8 => Raw<sbyte>(-128, 127, 0, -1, 1, -91, 90, 42),
        DataType.Int16 => Raw<short>(short.MinValue, short.MaxValue, 0, -1, 1, -23131, 23130, 4242),
        DataType.Int32 => Raw<int>(int.MinValue, int.MaxValue, 0, -1, 1, -1515870811, 16777217, 42),
        DataType.Int64 => Raw<long>(long.MinValue, long.MaxValue, 0, -1, 1, 9007199254740993L, -9007199254740993L, long.MinValue + 1),
        // A NaN with every payload bit set, a signalling NaN, −0, ±∞, the smallest subnormal, the largest finite, ~1/3.
        DataType.Fp16 => Raw<ushort>(0xFFFF, 0x7C01, 0x8000, 0x7C00, 0xFC00, 0x0001, 0x7BFF, 0x3555),
        DataType.Bf16 => Raw<ushort>(0xFFFF, 0x7F81, 0x8000, 0x7F80, 0xFF80, 0x0001, 0x7F7F, 0x3EAB),
        DataType.Fp32 => Raw<uint>(0xFFFF_FFFF, 0x7F80_0001, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x0000_0001, 0x7F7F_FFFF, 0x3EAA_AAAB),
        DataType.Fp64 => Raw<ulong>(0xFFFF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0001, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x1, 0x7FEF_FFFF_FFFF_FFFF, 0x3FD5_5555_5555_5555),
        // Empty elements, NUL, bytes that are not UTF-8 (a lone continuation byte, a truncated sequence), UTF-8 of 2 to 4 bytes a character.
        DataType.Bytes => BytesElements.Encode([[], [0], [0xFF, 0xFE, 0xFD], "día ☀"u8.ToArray(), [], [0x80], [0xC3], "日本語 🙂"u8.ToArray()]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    // Augur's tensor layout is little-endian, as is every machine the tests run on.
    private static byte[] Raw<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
