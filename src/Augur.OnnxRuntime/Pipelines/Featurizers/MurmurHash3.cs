using System.Buffers.Binary;
using System.Numerics;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// Austin Appleby's <c>MurmurHash3_x86_32</c>: the 32-bit hash ONNX Runtime's <c>com.microsoft.MurmurHash3</c> operator
/// computes (read as unsigned with <c>positive = 1</c>), so a featurizer run here and the same featurizer compiled into an
/// ONNX graph put a string in the same bucket. Written out here: System.IO.Hashing has no MurmurHash3, and 30 lines are
/// not worth a dependency.
/// </summary>
internal static class MurmurHash3
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    /// <summary>The hash of <paramref name="data"/> with <paramref name="seed"/>.</summary>
    public static uint Hash32(ReadOnlySpan<byte> data, uint seed)
    {
        var h = seed;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            h ^= Mix(BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4)));
            h = BitOperations.RotateLeft(h, 13);
            h = (h * 5) + 0xe6546b64;
        }

        var tail = data[(blocks * 4)..];
        uint k = 0;
        switch (tail.Length)
        {
            case 3:
                k ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                k ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                k ^= tail[0];
                h ^= Mix(k);
                break;
        }

        h ^= (uint)data.Length;
        return Finalize(h);
    }

    private static uint Mix(uint k)
    {
        k *= C1;
        k = BitOperations.RotateLeft(k, 15);
        return k * C2;
    }

    private static uint Finalize(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
