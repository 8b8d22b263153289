using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Augur.Protocol.Json;
using Augur.Tensors;
using static Augur.Protocol.Tests.Json.ReaderHarness;

namespace Augur.Protocol.Tests.Json;

/// <summary>
/// The one-pass reader's own edges: members in any order and repeated, data met before its datatype and shape,
/// problems ranked the same whatever the order, flat and nested data of every datatype decoding alike, and no buffer
/// for a shape the body cannot fill.
/// </summary>
public sealed class OnePassReaderTests
{
    private const string Features = """{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [[1, 2], [3, 4]]}""";

    public static TheoryData<string> MemberOrders() =>
    [
        """{"id": "r", "parameters": {"priority": 2, "binary_data_output": true}, "inputs": [X], "outputs": [{"name": "y"}]}""",
        """{"inputs": [X], "outputs": [{"name": "y"}], "parameters": {"binary_data_output": true, "priority": 2}, "id": "r"}""",
        """{"outputs": [{"name": "y"}], "inputs": [X], "id": "r", "parameters": {"priority": 2, "binary_data_output": true}}""",
        """{"unknown": {"a": [1, [2, {"b": null}]]}, "outputs": [{"name": "y", "extra": 1}], "inputs": [X], "id": "r", "parameters": {"other": [1], "priority": 2, "binary_data_output": true}}""",
    ];

    [Theory]
    [MemberData(nameof(MemberOrders))]
    public void Request_members_in_any_order_decode_alike(string template)
    {
        var decoded = ReadOk(template.Replace("X", Features, StringComparison.Ordinal));

        Assert.Equal("r", decoded.Request.Id);
        Assert.Equal(2, decoded.Request.Priority);
        Assert.Equal(["y"], decoded.Request.RequestedOutputs!);
        Assert.True(decoded.IsBinary("y"), "binary_data_output applies to outputs listed before it");
        AssertFloats(decoded.Request.Inputs[0], 1, 2, 3, 4);
    }

    [Theory]
    [InlineData("""{"data": [[1, 2], [3, 4]], "name": "x", "datatype": "FP32", "shape": [2, 2]}""")]
    [InlineData("""{"shape": [2, 2], "data": [1, 2, 3, 4], "datatype": "FP32", "name": "x"}""")]
    [InlineData("""{"datatype": "FP32", "data": [[1, 2], [3, 4]], "shape": [2, 2], "name": "x"}""")]
    [InlineData("""{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [1, 2, 3, 4], "parameters": {"note": "after the data"}}""")]
    public void Data_before_its_datatype_or_shape_is_decoded_once_they_are_known(string input)
    {
        var decoded = ReadOk($$"""{"inputs": [{{input}}]}""");

        AssertFloats(decoded.Request.Inputs[0], 1, 2, 3, 4);
    }

    [Fact]
    public void A_repeated_member_is_read_as_its_last_value()
    {
        // The data was decoded as FP32 [4] when met; the later datatype and shape make it INT64 [2, 2].
        var decoded = ReadOk("""
            {"inputs": "decoy", "id": 1, "id": "second",
             "inputs": [{"name": "x", "datatype": "FP32", "shape": [4], "data": [1, 2, 3, 4], "datatype": "INT64", "shape": [2, 2]}]}
            """);

        var input = decoded.Request.Inputs[0];
        Assert.Equal("second", decoded.Request.Id);
        Assert.Equal(DataType.Int64, input.DataType);
        Assert.Equal([2L, 2L], input.Shape.ToArray());
        Assert.Equal([1L, 2L, 3L, 4L], Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt64LittleEndian(input.Data.Span[(i * 8)..])));
    }

    [Fact]
    public void Binary_data_size_after_the_data_is_still_a_conflict()
    {
        var message = ReadError("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1], "parameters": {"binary_data_size": 4}}]}""");

        Assert.Equal("input 'x' has both 'data' and binary_data_size; send one or the other", message);
    }

    [Fact]
    public void Binary_data_size_before_the_shape_slices_the_body()
    {
        var (body, length) = WithBinary(
            """{"inputs": [{"parameters": {"binary_data_size": 8}, "name": "x", "shape": [2], "datatype": "FP32"}]}""",
            BitConverter.GetBytes(1.5f), BitConverter.GetBytes(-2f));

        var decoded = ReadOk(body, length);

        AssertFloats(decoded.Request.Inputs[0], 1.5f, -2f);
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "INT8", "shape": [1], "data": [1000]}], "id": 5}""", "the request 'id' must be a string")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "INT8", "shape": [1], "data": [1000]}], "parameters": {"priority": -1}}""", "parameter 'priority' of the request must be a non-negative integer, not the number -1")]
    [InlineData("""{"outputs": 5, "inputs": [{"name": "x", "datatype": "INT8", "shape": [1], "data": [1000]}]}""", "input 'x': element 0 (1000) is out of range for INT8 (-128 to 127)")]
    [InlineData("""{"inputs": [{"data": [1000], "shape": [2], "name": "x", "datatype": "NOPE"}]}""", "input 'x' has unknown datatype 'NOPE'; expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES")]
    [InlineData("""{"inputs": [{"data": [1000], "datatype": "INT8", "shape": [1]}]}""", "each input needs a non-empty string 'name'")]
    [InlineData("""{"id": "r", "inputs": 3}""", "the request needs an 'inputs' array")]
    public void Problems_rank_the_same_whatever_the_member_order(string json, string expected) => Assert.Equal(expected, ReadError(json));

    [Fact]
    public void Malformed_json_after_a_bad_input_is_reported_as_malformed()
    {
        var message = ReadError("""{"inputs": [{"name": "x", "datatype": "INT8", "shape": [1], "data": [1000]}], "id": "r" "oops"}""");

        Assert.StartsWith("the request body is not valid JSON: ", message);
    }

    [Fact]
    public void Nesting_too_deep_after_a_bad_input_is_reported_as_too_deep()
    {
        var deep = new string('[', 40) + new string(']', 40);

        var message = ReadError($$"""{"inputs": [{"name": "x", "datatype": "INT8", "shape": [1], "data": [1000]}], "extra": {{deep}}}""");

        Assert.Equal("the request JSON is nested deeper than 32 levels", message);
    }

    [Theory]
    [InlineData("[2, 2]", "[[1, \"a\"], [3]]", "the nesting of data does not match shape [2,2]")]
    [InlineData("[2]", "[\"a\", 2, 3]", "the shape needs 2 elements but data has 3")]
    [InlineData("[3]", "[\"a\", 2, [3]]", "data mixes arrays and values; send it flat or nested to match the shape")]
    [InlineData("[2, 2]", "[[1, 2], {\"a\": [3]}]", "the nesting of data does not match shape [2,2]")]
    public void A_structural_problem_after_a_bad_element_outranks_it(string shape, string data, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", shape, data)));

    [Fact]
    public void A_shape_the_body_cannot_fill_gets_no_buffer_for_it()
    {
        // 500 million FP64 elements would be 4 GB; the body could hold a few bytes' worth.
        var body = Utf8(Input("FP64", "[500000000]", "[1, 2, 3]"));
        ReadError(body, null);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = ReadError(body, null);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("input 'x': the shape needs 500000000 elements but data has 3", message);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated");
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public void Every_datatype_round_trips_through_the_writer_flat_and_nested(DataType type)
    {
        var tensor = Sample(type);
        var rows = Enumerable.Range(0, 2).Select(r => WriteData(tensor, r * 3, 3)).ToArray();
        var flat = WriteData(tensor, 0, 6);
        var nested = $"[{rows[0]},{rows[1]}]";

        foreach (var data in new[] { flat, nested })
        {
            foreach (var input in new[]
            {
                $$"""{"name": "x", "datatype": "{{type.Name()}}", "shape": [2, 3], "data": {{data}}}""",
                $$"""{"data": {{data}}, "shape": [2, 3], "datatype": "{{type.Name()}}", "name": "x"}""",
            })
            {
                var decoded = ReadOk($$"""{"inputs": [{{input}}]}""").Request.Inputs[0];

                Assert.True(Convert.ToHexString(tensor.Data.Span) == Convert.ToHexString(decoded.Data.Span), $"{type} {input}");
            }
        }
    }

    public static TheoryData<DataType> Datatypes() => [.. DataTypes.All];

    // Six elements of the datatype, with its extremes and, for floating point, the non-finite values JSON writes as strings.
    private static InferenceTensor Sample(DataType type)
    {
        if (type == DataType.Bytes)
        {
            return InferenceTensor.FromRaw("x", type, [2, 3], BytesElements.Encode(["", "a", "é\"\\\n", "\u0001", "naïve", "end"]));
        }

        double[] values = type switch
        {
            DataType.Bool => [1, 0, 1, 1, 0, 0],
            DataType.Fp16 or DataType.Bf16 or DataType.Fp32 or DataType.Fp64 => [0.1, -2.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 65504],
            _ => [0, 1, 2, 3, 4, 5],
        };
        var size = type.ElementSize();
        var bytes = new byte[6 * size];
        for (var i = 0; i < 6; i++)
        {
            var span = bytes.AsSpan(i * size);
            switch (type)
            {
                case DataType.Bool or DataType.UInt8: span[0] = (byte)values[i]; break;
                case DataType.Int8: span[0] = (byte)(i == 0 ? sbyte.MinValue : i == 5 ? sbyte.MaxValue : (sbyte)values[i]); break;
                case DataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(span, i == 5 ? ushort.MaxValue : (ushort)values[i]); break;
                case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(span, i == 0 ? short.MinValue : (short)values[i]); break;
                case DataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(span, i == 5 ? uint.MaxValue : (uint)values[i]); break;
                case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(span, i == 0 ? int.MinValue : (int)values[i]); break;
                case DataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(span, i == 5 ? ulong.MaxValue : (ulong)values[i]); break;
                case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(span, i == 0 ? long.MinValue : i == 5 ? long.MaxValue : (long)values[i]); break;
                case DataType.Fp16: BinaryPrimitives.WriteHalfLittleEndian(span, (Half)values[i]); break;
                case DataType.Bf16: BinaryPrimitives.WriteUInt16LittleEndian(span, ((BFloat16)(float)values[i]).Bits); break;
                case DataType.Fp32: BinaryPrimitives.WriteSingleLittleEndian(span, (float)values[i]); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(span, values[i]); break;
            }
        }

        return InferenceTensor.FromRaw("x", type, [2, 3], bytes);
    }

    private static string WriteData(InferenceTensor tensor, long first, long count)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options))
        {
            TensorJsonWriter.WriteData(writer, tensor, first, count);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void AssertFloats(InferenceTensor tensor, params float[] expected)
    {
        Assert.Equal(DataType.Fp32, tensor.DataType);
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(i => BinaryPrimitives.ReadSingleLittleEndian(tensor.Data.Span[(i * 4)..])));
    }
}
