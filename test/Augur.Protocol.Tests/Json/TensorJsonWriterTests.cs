using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

/// <summary>
/// <see cref="TensorJsonWriter"/> writes what the request reader's decoder (<see cref="TensorDataReader"/>) reads
/// back to the same tensor, for every datatype and its edge values.
/// </summary>
public sealed class TensorJsonWriterTests
{
    public static TheoryData<string, InferenceTensor> EdgeValues() => new()
    {
        { "BOOL", Tensor(new[] { true, false, true }) },
        { "UINT8", Tensor(new byte[] { 0, 1, 127, 128, byte.MaxValue }) },
        { "UINT16", Tensor(new ushort[] { 0, 1, 32768, ushort.MaxValue }) },
        { "UINT32", Tensor(new uint[] { 0, 1, 1u << 31, uint.MaxValue }) },
        { "UINT64", Tensor(new ulong[] { 0, 1, (1UL << 53) + 1, 1UL << 63, ulong.MaxValue - 1, ulong.MaxValue }) },
        { "INT8", Tensor(new sbyte[] { sbyte.MinValue, -1, 0, 1, sbyte.MaxValue }) },
        { "INT16", Tensor(new short[] { short.MinValue, -1, 0, 1, short.MaxValue }) },
        { "INT32", Tensor(new[] { int.MinValue, -1, 0, 1, int.MaxValue }) },
        { "INT64", Tensor(new[] { long.MinValue, long.MinValue + 1, -((1L << 53) + 1), -1, 0, (1L << 53) + 1, long.MaxValue - 1, long.MaxValue }) },
        {
            "FP16", Tensor(Halves(
                0xFE00, 0x7E00, 0x7C01, 0x7C00, 0xFC00, // NaN (both signs, a payload), +∞, -∞
                0x0001, 0x8001, 0x03FF, 0x0400, // the smallest subnormal (both signs), the largest subnormal, the smallest normal
                0x7BFF, 0xFBFF, 0x0000, 0x8000, 0x3C00, 0x3C01)) // max, min, ±0, 1 and the next value up
        },
        { "FP16 values", Tensor(new[] { (Half)0.1, (Half)(1.0 / 3), (Half)(-2.5), (Half)1000.1, (Half)3.14159 }) },
        {
            "BF16", Tensor(BFloat16s(
                0x7FC0, 0xFFC1, 0x7F81, 0x7F80, 0xFF80, // NaN (both signs, a payload), +∞, -∞
                0x0001, 0x8001, 0x007F, 0x0080, // the smallest subnormal (both signs), the largest subnormal, the smallest normal
                0x7F7F, 0xFF7F, 0x0000, 0x8000, 0x3F80, 0x3F81)) // max, min, ±0, 1 and the next value up
        },
        { "BF16 values", Tensor(new[] { (BFloat16)0.1f, (BFloat16)(1f / 3), (BFloat16)(-2.5f), (BFloat16)1e30f, (BFloat16)3.14159f }) },
        {
            "FP32", Tensor(new[]
            {
                float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F800001), float.PositiveInfinity, float.NegativeInfinity,
                float.Epsilon, -float.Epsilon, BitConverter.UInt32BitsToSingle(0x007FFFFF), 1.17549435E-38f,
                float.MaxValue, float.MinValue, 0f, -0f, 0.1f, 1f / 3, 16777217f, 123456.79f,
            })
        },
        {
            "FP64", Tensor(new[]
            {
                double.NaN, -double.NaN, BitConverter.UInt64BitsToDouble(0x7FF0000000000001), double.PositiveInfinity, double.NegativeInfinity,
                double.Epsilon, -double.Epsilon, BitConverter.UInt64BitsToDouble(0x000FFFFFFFFFFFFF), 2.2250738585072014E-308,
                double.MaxValue, double.MinValue, 0.0, -0.0, 0.1, 1.0 / 3, 9007199254740993.0, Math.PI,
            })
        },
        { "BYTES", InferenceTensor.CreateStrings("x", ["", "a", "wörld", "😀", "quote\"back\\slash", "\0", "line\nbreak", "<&>'", "\u2028", "\uFFFD"]) },
    };

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void EveryDatatype_RoundTripsThroughTheRequestReader(string label, InferenceTensor tensor)
    {
        var json = Write(tensor);

        var decoded = Read(json, tensor.DataType, tensor.ElementCount);

        AssertSameElements(tensor, decoded, label);
    }

    [Theory]
    [InlineData(DataType.Fp16)]
    [InlineData(DataType.Bf16)]
    public void EveryFp16AndBf16Value_RoundTrips(DataType type)
    {
        var tensor = EverySixteenBitValue(type);

        var decoded = Read(Write(tensor), type, tensor.ElementCount);

        AssertSameElements(tensor, decoded, type.Name());
    }

    [Theory]
    [InlineData(DataType.Fp16)]
    [InlineData(DataType.Bf16)]
    public void Fp16AndBf16_AreWrittenAsTheShortestDecimalOfTheirFp32Value(DataType type)
    {
        var tensor = EverySixteenBitValue(type);
        using var document = JsonDocument.Parse(Write(tensor));

        var index = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var widened = Widen(type, BinaryPrimitives.ReadUInt16LittleEndian(tensor.Data.Span[(index * 2)..]));
            if (float.IsFinite(widened))
            {
                // float's own formatting is the shortest decimal that parses back to the same float.
                Assert.Equal(widened.ToString(CultureInfo.InvariantCulture), element.GetRawText());
                Assert.Equal(BitConverter.SingleToUInt32Bits(widened), BitConverter.SingleToUInt32Bits(float.Parse(element.GetRawText(), CultureInfo.InvariantCulture)));
            }
            else
            {
                Assert.Equal(float.IsNaN(widened) ? "NaN" : widened > 0 ? "Infinity" : "-Infinity", element.GetString());
            }

            index++;
        }

        Assert.Equal(65536, index);
    }

    public static TheoryData<InferenceTensor, string> DocumentedForms() => new()
    {
        { Tensor(new[] { ulong.MaxValue, 1UL << 63 }), "[18446744073709551615,9223372036854775808]" },
        { Tensor(new[] { long.MinValue, long.MaxValue, (1L << 53) + 1 }), "[-9223372036854775808,9223372036854775807,9007199254740993]" },
        { Tensor(new[] { (Half)0.1, Half.Epsilon, Half.MaxValue, -Half.MaxValue }), "[0.099975586,5.9604645E-08,65504,-65504]" },
        { Tensor(BFloat16s(0x3DCD, 0x0001, 0x7F7F)), "[0.100097656,9.1835E-41,3.3895314E+38]" },
        { Tensor(new[] { Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity }), """["NaN","Infinity","-Infinity"]""" },
        { Tensor(BFloat16s(0x7FC0, 0x7F80, 0xFF80)), """["NaN","Infinity","-Infinity"]""" },
        { Tensor(new[] { -float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f }), """["NaN","Infinity","-Infinity",-0]""" },
        { Tensor(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.1 }), """["NaN","Infinity","-Infinity",0.1]""" },
        { Tensor(new[] { true, false }), "[true,false]" },
        { InferenceTensor.CreateStrings("x", ["wörld", "a\"b"]), """["wörld","a\"b"]""" },
    };

    [Theory]
    [MemberData(nameof(DocumentedForms))]
    public void Values_AreWrittenInTheDocumentedForm(InferenceTensor tensor, string expected)
    {
        Assert.Equal(expected, Write(tensor));
    }

    [Fact]
    public void BytesThatAreNotUtf8_AreWrittenWithReplacementCharacters()
    {
        byte[][] elements = [[0xFF], [0x61, 0x80, 0x62], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF0, 0x9F, 0x98], [0x6F, 0x6B]];
        var tensor = InferenceTensor.FromRaw("x", DataType.Bytes, [elements.Length], BytesElements.Encode(elements));

        var decoded = Read(Write(tensor), DataType.Bytes, elements.Length);

        var expected = elements.Select(e => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(e))).ToArray();
        Assert.Equal(Convert.ToHexString(BytesElements.Encode(expected)), Convert.ToHexString(decoded));
        Assert.Equal("\uFFFD", Encoding.UTF8.GetString(expected[0]));
        Assert.Equal("ok", Encoding.UTF8.GetString(expected[^1]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Utf8Bytes_AreEscapedExactlyAsTheSameString(bool relaxed)
    {
        string[] strings = ["", "plain", "wörld", "😀", "quote\"back\\slash", "\0\u0001\u001f", "tab\there", "<script>&'", "\u2028\u2029", "\uFFFD", "+1", "日本語"];
        var options = relaxed ? JsonWriterDefaults.Options : default;
        var expected = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(expected, options))
        {
            writer.WriteStartArray();
            foreach (var text in strings)
            {
                writer.WriteStringValue(text);
            }

            writer.WriteEndArray();
        }

        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Write(InferenceTensor.CreateStrings("x", strings), options));
    }

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void A_range_of_elements_is_written_as_a_tensor_of_just_those_elements(string label, InferenceTensor tensor)
    {
        var count = tensor.ElementCount;
        for (var first = 0L; first <= count; first++)
        {
            for (var length = 0L; length <= count - first; length++)
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options))
                {
                    TensorJsonWriter.WriteData(writer, tensor, first, length);
                }

                Assert.True(Write(Slice(tensor, first, length)) == Encoding.UTF8.GetString(buffer.WrittenSpan), $"{label} [{first}, {first + length})");
            }
        }
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(0, 4)]
    [InlineData(3, 1)]
    [InlineData(4, 0)]
    public void A_range_outside_the_tensor_is_refused(long first, long count)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);

        Assert.Throws<ArgumentOutOfRangeException>(() => TensorJsonWriter.WriteData(writer, Tensor(new[] { 1, 2, 3 }), first, count));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Theory]
    [InlineData(DataType.Fp32)]
    [InlineData(DataType.Fp16)]
    [InlineData(DataType.Bf16)]
    [InlineData(DataType.Int64)]
    [InlineData(DataType.UInt64)]
    [InlineData(DataType.Fp64)]
    [InlineData(DataType.Bytes)]
    public void Writing_allocates_nothing_per_element(DataType type)
    {
        var tensor = Filled(type, 65_536);
        var buffer = new ArrayBufferWriter<byte>(4 << 20);
        using var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options);

        long Allocated()
        {
            buffer.ResetWrittenCount();
            writer.Reset();
            var before = GC.GetAllocatedBytesForCurrentThread();
            TensorJsonWriter.WriteData(writer, tensor);
            writer.Flush();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(); // the first call pays for static set-up
        // Usually 0. An allocation per element would be at least 24 bytes an element; the runtime's own occasional
        // work on this thread (a method tiering up while other tests run) stays far below one byte an element.
        Assert.InRange(Allocated(), 0, tensor.ElementCount);
    }

    private static InferenceTensor Tensor<T>(T[] values) where T : unmanaged => InferenceTensor.Create("x", values);

    private static Half[] Halves(params ushort[] bits) => bits.Select(b => BitConverter.UInt16BitsToHalf(b)).ToArray();

    private static BFloat16[] BFloat16s(params ushort[] bits) => bits.Select(BFloat16.FromBits).ToArray();

    private static InferenceTensor EverySixteenBitValue(DataType type)
    {
        var data = new byte[65536 * 2];
        for (var bits = 0; bits < 65536; bits++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(bits * 2), (ushort)bits);
        }

        return InferenceTensor.FromRaw("x", type, [65536], data);
    }

    /// <summary>Elements of <paramref name="type"/> that take the writer's longest path: many digits, and non-ASCII BYTES.</summary>
    private static InferenceTensor Filled(DataType type, int count) => type switch
    {
        DataType.Fp32 => Tensor(Enumerable.Range(0, count).Select(i => i / 3f).ToArray()),
        DataType.Fp16 => Tensor(Enumerable.Range(0, count).Select(i => (Half)(i / 3f)).ToArray()),
        DataType.Bf16 => Tensor(Enumerable.Range(0, count).Select(i => (BFloat16)(i / 3f)).ToArray()),
        DataType.Int64 => Tensor(Enumerable.Range(0, count).Select(i => long.MinValue + i).ToArray()),
        DataType.UInt64 => Tensor(Enumerable.Range(0, count).Select(i => ulong.MaxValue - (ulong)i).ToArray()),
        DataType.Fp64 => Tensor(Enumerable.Range(0, count).Select(i => i / 3.0).ToArray()),
        _ => InferenceTensor.CreateStrings("x", Enumerable.Range(0, count).Select(i => $"wörld \"{i}\"").ToArray()),
    };

    private static float Widen(DataType type, ushort bits) =>
        type == DataType.Fp16 ? (float)BitConverter.UInt16BitsToHalf(bits) : (float)BFloat16.FromBits(bits);

    private static InferenceTensor Slice(InferenceTensor tensor, long first, long count)
    {
        if (tensor.DataType == DataType.Bytes)
        {
            var elements = tensor.GetBytesElements().Skip((int)first).Take((int)count).Select(e => e.ToArray()).ToArray();
            return InferenceTensor.FromRaw("x", DataType.Bytes, [count], BytesElements.Encode(elements));
        }

        var size = tensor.DataType.ElementSize();
        return InferenceTensor.FromRaw("x", tensor.DataType, [count], tensor.Data.Slice((int)(first * size), (int)(count * size)));
    }

    private static string Write(InferenceTensor tensor, JsonWriterOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options ?? JsonWriterDefaults.Options))
        {
            TensorJsonWriter.WriteData(writer, tensor);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static byte[] Read(string json, DataType type, long count)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(TensorDataReader.TryRead(document.RootElement, "x", type, [count], count, out var bytes, out var problem), problem);
        return bytes;
    }

    // The same bits, except that any NaN may come back as another NaN: JSON has one "NaN", not NaN payloads.
    private static void AssertSameElements(InferenceTensor expected, byte[] actual, string label)
    {
        var type = expected.DataType;
        if (type is not (DataType.Fp16 or DataType.Bf16 or DataType.Fp32 or DataType.Fp64))
        {
            Assert.True(Convert.ToHexString(expected.Data.Span) == Convert.ToHexString(actual), label);
            return;
        }

        var size = type.ElementSize();
        Assert.Equal(expected.Data.Length, actual.Length);
        for (var i = 0; i < expected.ElementCount; i++)
        {
            var want = expected.Data.Span.Slice(i * size, size);
            var got = actual.AsSpan(i * size, size);
            if (IsNaN(type, want))
            {
                Assert.True(IsNaN(type, got), $"{label} element {i}: NaN came back as {Convert.ToHexString(got)}");
            }
            else
            {
                Assert.True(want.SequenceEqual(got), $"{label} element {i}: {Convert.ToHexString(want)} came back as {Convert.ToHexString(got)}");
            }
        }
    }

    private static bool IsNaN(DataType type, ReadOnlySpan<byte> element) => type switch
    {
        DataType.Fp16 => Half.IsNaN(BinaryPrimitives.ReadHalfLittleEndian(element)),
        DataType.Bf16 => float.IsNaN((float)BFloat16.FromBits(BinaryPrimitives.ReadUInt16LittleEndian(element))),
        DataType.Fp32 => float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(element)),
        _ => double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(element)),
    };
}
