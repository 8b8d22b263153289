using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Augur.Bench.Keys;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Bench.Tests;

/// <summary>A key's inputs are a function of the key alone, exact in every float type and in JSON.</summary>
public sealed class KeyedInputsTests
{
    private static readonly TensorSpec[] Ranker = [new("features", DataType.Fp32, [-1, 256])];

    [Fact]
    public void The_same_key_gives_the_same_inputs_and_another_key_others()
    {
        var first = KeyedInputs.Create(Ranker, 42);
        var again = KeyedInputs.Create(Ranker, 42);
        var other = KeyedInputs.Create(Ranker, 43);

        var tensor = Assert.Single(first);
        Assert.Equal(("features", DataType.Fp32), (tensor.Name, tensor.DataType));
        Assert.Equal([1L, 256], tensor.Shape.ToArray());
        Assert.Equal(tensor.Data.ToArray(), again[0].Data.ToArray());
        Assert.NotEqual(tensor.Data.ToArray(), other[0].Data.ToArray());
        var values = MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray();
        Assert.All(values, v => Assert.True(v >= -1 && v < 1 && v * 64 == MathF.Round(v * 64), $"{v} is not a multiple of 1/64 in [-1, 1)"));
        Assert.True(values.Distinct().Count() > 64, "256 features should take most of the 128 values");
    }

    [Fact]
    public void Every_value_is_written_in_JSON_as_an_exact_decimal_that_reads_back_unchanged()
    {
        for (var k = -64; k < 64; k++)
        {
            var value = k / 64f;
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                TensorJsonWriter.WriteData(writer, InferenceTensor.Create("x", [value], 1));
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            // The shortest float decimal is the exact one, so a reader through double (as batch jobs read) agrees too.
            Assert.Equal($"[{((decimal)k / 64).ToString(CultureInfo.InvariantCulture)}]", text);
            Assert.Equal(value, (float)double.Parse(text[1..^1], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Every_float_type_carries_the_same_values_and_integers_are_0_or_1()
    {
        TensorSpec[] inputs =
        [
            new("a", DataType.Fp32, [-1, 32]), new("b", DataType.Fp64, [-1, 32]), new("c", DataType.Fp16, [-1, 32]), new("d", DataType.Bf16, [-1, 32]),
            new("e", DataType.Int64, [-1, 32]), new("f", DataType.Bool, [-1, 32]), new("g", DataType.UInt8, [2, -1]), new("h", DataType.Bytes, [-1, 1]),
        ];
        var tensors = KeyedInputs.Create(inputs, 7);

        Assert.Equal(inputs.Select(i => (i.Name, i.DataType)), tensors.Select(t => (t.Name, t.DataType)));
        Assert.Equal([2L, 1], tensors[6].Shape.ToArray());
        var fp32 = MemoryMarshal.Cast<byte, float>(tensors[0].Data.Span).ToArray();
        // Input b is input 1, so its values are its own; what must hold is that each type holds its values exactly.
        var fp64 = MemoryMarshal.Cast<byte, double>(tensors[1].Data.Span).ToArray();
        Assert.Equal(Enumerable.Range(0, 32).Select(e => (double)KeyedInputs.Float(KeyedInputs.Bits(7, 1, e))), fp64);
        Assert.Equal(Enumerable.Range(0, 32).Select(e => KeyedInputs.Float(KeyedInputs.Bits(7, 0, e))), fp32);
        var fp16 = MemoryMarshal.Cast<byte, Half>(tensors[2].Data.Span).ToArray();
        Assert.Equal(Enumerable.Range(0, 32).Select(e => KeyedInputs.Float(KeyedInputs.Bits(7, 2, e))), fp16.Select(h => (float)h));
        var bf16 = MemoryMarshal.Cast<byte, ushort>(tensors[3].Data.Span).ToArray();
        Assert.Equal(Enumerable.Range(0, 32).Select(e => KeyedInputs.Float(KeyedInputs.Bits(7, 3, e))), bf16.Select(u => BitConverter.UInt32BitsToSingle((uint)u << 16)));
        Assert.All(MemoryMarshal.Cast<byte, long>(tensors[4].Data.Span).ToArray(), v => Assert.True(v is 0 or 1));
        Assert.All(tensors[5].Data.ToArray(), v => Assert.True(v is 0 or 1));
        Assert.Equal("7", System.Text.Encoding.UTF8.GetString(BytesElements.Decode(tensors[7].Data).Single().Span));
    }
}
