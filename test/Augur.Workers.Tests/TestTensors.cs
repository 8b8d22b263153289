using System.Buffers.Binary;
using Augur.Tensors;

namespace Augur.Workers.Tests;

/// <summary>Seeded tensors of any datatype whose bytes exercise the format: every bit pattern, not only tidy values.</summary>
internal static class TestTensors
{
    /// <summary>
    /// <paramref name="rows"/> × <paramref name="columns"/> elements of <paramref name="type"/>: random bits (BOOL 0 or 1),
    /// with the first three elements of a floating-point tensor a NaN with every payload bit set, negative zero and a
    /// signalling NaN; BYTES elements of random length (0 included) and content (NUL and invalid UTF-8 included).
    /// </summary>
    public static InferenceTensor Create(string name, DataType type, long rows, int columns, int seed)
    {
        var random = new Random(seed);
        var count = checked((int)(rows * columns));
        if (type == DataType.Bytes)
        {
            var elements = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                elements[i] = new byte[i == 0 ? 0 : random.Next(0, 40)];
                random.NextBytes(elements[i]);
            }

            if (count > 1)
            {
                elements[1] = [0x00, 0xFF, 0xFE, 0xC3];
            }

            return InferenceTensor.FromRaw(name, type, [rows, columns], BytesElements.Encode(elements));
        }

        var size = type.ElementSize();
        var data = new byte[count * size];
        random.NextBytes(data);
        if (type == DataType.Bool)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] &= 1;
            }
        }

        if (count >= 3 && Specials(type) is { } specials)
        {
            for (var i = 0; i < 3; i++)
            {
                var element = data.AsSpan(i * size, size);
                if (size == 2)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(element, (ushort)specials[i]);
                }
                else if (size == 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)specials[i]);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(element, specials[i]);
                }
            }
        }

        return InferenceTensor.FromRaw(name, type, [rows, columns], data);
    }

    private static ulong[]? Specials(DataType type) => type switch
    {
        DataType.Fp16 => [0xFFFF, 0x8000, 0x7C01],
        DataType.Bf16 => [0xFFFF, 0x8000, 0x7F81],
        DataType.Fp32 => [0xFFFF_FFFF, 0x8000_0000, 0x7F80_0001],
        DataType.Fp64 => [0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0001],
        _ => null,
    };
}
