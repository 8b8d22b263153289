using System.Buffers.Binary;
using System.Numerics;

namespace Augur.OnnxRuntime.Tests.Fusion;

/// <summary>Austin Appleby's MurmurHash3_x86_32, written from its description, for checking the fused featurizers.</summary>
internal static class Murmur3
{
    public static uint Hash(ReadOnlySpan<byte> data, uint seed)
    {
        const uint C1 = 0xcc9e2d51;
        const uint C2 = 0x1b873593;
        var h = seed;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            h ^= Mix(BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4)));
            h = BitOperations.RotateLeft(h, 13) * 5 + 0xe6546b64;
        }

        var tail = data[(blocks * 4)..];
        uint k = 0;
        for (var i = tail.Length - 1; i >= 0; i--)
        {
            k = (k << 8) | tail[i];
        }

        if (tail.Length > 0)
        {
            h ^= Mix(k);
        }

        h ^= (uint)data.Length;
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;

        static uint Mix(uint block) => BitOperations.RotateLeft(block * C1, 15) * C2;
    }
}
