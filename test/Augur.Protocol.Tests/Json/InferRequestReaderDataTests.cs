using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Augur.Tensors;
using static Augur.Protocol.Tests.Json.ReaderHarness;

namespace Augur.Protocol.Tests.Json;

public sealed class InferRequestReaderDataTests
{
    public static TheoryData<string, string, byte[]> EveryDatatype() => new()
    {
        { "BOOL", "[true, false, true]", [1, 0, 1] },
        { "UINT8", "[0, 1, 255]", [0, 1, 255] },
        { "UINT16", "[0, 513, 65535]", Bytes<ushort>(0, 513, 65535) },
        { "UINT32", "[0, 16909060, 4294967295]", Bytes<uint>(0, 16909060, uint.MaxValue) },
        { "UINT64", "[0, 1, 18446744073709551615]", Bytes<ulong>(0, 1, ulong.MaxValue) },
        { "INT8", "[-128, -1, 127]", Bytes<sbyte>(-128, -1, 127) },
        { "INT16", "[-32768, -1, 32767]", Bytes<short>(short.MinValue, -1, short.MaxValue) },
        { "INT32", "[-2147483648, -1, 2147483647]", Bytes(int.MinValue, -1, int.MaxValue) },
        { "INT64", "[-9223372036854775808, -1, 9223372036854775807]", Bytes(long.MinValue, -1, long.MaxValue) },
        { "FP16", "[1.5, -2, 65504]", Bytes((Half)1.5, (Half)(-2), Half.MaxValue) },
        { "BF16", "[1.5, -3.140625, 0]", Bytes((BFloat16)1.5f, (BFloat16)(-3.140625f), (BFloat16)0f) },
        { "FP32", "[0.1, -0.0, 3.4028235e38]", Bytes(0.1f, -0f, float.MaxValue) },
        { "FP64", "[0.1, -1e308, 5e-324]", Bytes(0.1, -1e308, double.Epsilon) },
        { "BYTES", """["a", "", "ü"]""", BytesElements.Encode(["a", "", "ü"]) },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void FlatData_DecodesToLittleEndianBytes(string datatype, string data, byte[] expected)
    {
        var decoded = ReadOk(Input(datatype, "[3]", data));

        var tensor = Assert.Single(decoded.Request.Inputs);
        Assert.Equal("x", tensor.Name);
        Assert.True(DataTypes.TryParse(datatype, out var type));
        Assert.Equal(type, tensor.DataType);
        Assert.Equal([3L], tensor.Shape.ToArray());
        Assert.Equal(expected, tensor.Data.ToArray());
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void NestedData_DecodesInRowMajorOrder(string datatype, string data, byte[] expected)
    {
        // [a, b, c] as shape [3, 1] written [[a], [b], [c]], and as [1, 3] written [[a, b, c]].
        var elements = System.Text.Json.JsonDocument.Parse(data).RootElement.EnumerateArray().Select(e => e.GetRawText()).ToArray();
        var column = "[" + string.Join(", ", elements.Select(e => $"[{e}]")) + "]";
        var row = "[[" + string.Join(", ", elements) + "]]";

        Assert.Equal(expected, ReadOk(Input(datatype, "[3, 1]", column)).Request.Inputs[0].Data.ToArray());
        Assert.Equal(expected, ReadOk(Input(datatype, "[1, 3]", row)).Request.Inputs[0].Data.ToArray());
    }

    [Fact]
    public void NestedData_OfRankThree()
    {
        var tensor = ReadOk(Input("INT32", "[2, 2, 2]", "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]")).Request.Inputs[0];

        Assert.Equal([2L, 2L, 2L], tensor.Shape.ToArray());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], tensor.ToArray<int>());
    }

    [Fact]
    public void NestedData_OfRank25_FitsTheDefaultDepth()
    {
        var shape = "[" + string.Join(",", Enumerable.Repeat("1", 25)) + "]";
        var data = new string('[', 25) + "7" + new string(']', 25);

        var tensor = ReadOk(Input("INT64", shape, data)).Request.Inputs[0];

        Assert.Equal(25, tensor.Shape.Length);
        Assert.Equal([7L], tensor.ToArray<long>());
    }

    [Fact]
    public void ScalarAndEmptyTensors()
    {
        var scalar = ReadOk(Input("FP64", "[]", "[2.5]")).Request.Inputs[0];
        var empty = ReadOk(Input("FP32", "[0, 3]", "[]")).Request.Inputs[0];

        Assert.Equal(0, scalar.Shape.Length);
        Assert.Equal([2.5], scalar.ToArray<double>());
        Assert.Equal([0L, 3L], empty.Shape.ToArray());
        Assert.Equal(0, empty.Data.Length);
    }

    [Theory]
    [InlineData("FP16")]
    [InlineData("BF16")]
    [InlineData("FP32")]
    [InlineData("FP64")]
    public void NonFiniteStrings_DecodeForFloatTypes(string datatype)
    {
        var tensor = ReadOk(Input(datatype, "[4]", """["NaN", "Infinity", "-Infinity", 1]""")).Request.Inputs[0];

        var values = ToDoubles(tensor);
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.Equal(double.NegativeInfinity, values[2]);
        Assert.Equal(1.0, values[3]);
    }

    [Fact]
    public void Strings_DecodeAsUtf8()
    {
        var tensor = ReadOk(Input("BYTES", "[2, 2]", """[["hello", "wörld"], ["\u0000", "😀"]]""")).Request.Inputs[0];

        Assert.Equal(["hello", "wörld", "\0", "😀"], tensor.ToStrings());
    }

    [Fact]
    public void IdModelAndVersion_AreCarried()
    {
        var decoded = ReadOk(Utf8("""{"id": "req-42", "inputs": []}"""), null, "fraud", "3");

        Assert.Equal("req-42", decoded.Request.Id);
        Assert.Equal("fraud", decoded.Request.ModelName);
        Assert.Equal("3", decoded.Request.ModelVersion);
        Assert.Empty(decoded.Request.Inputs);
        Assert.Null(decoded.Request.RequestedOutputs);
    }

    [Fact]
    public void NoId_IsNull()
    {
        Assert.Null(ReadOk("""{"inputs": []}""").Request.Id);
    }

    [Fact]
    public void SeveralInputs_KeepTheirOrder()
    {
        var decoded = ReadOk("""
            {"inputs": [
              {"name": "b", "datatype": "INT64", "shape": [1], "data": [5]},
              {"name": "a", "datatype": "FP32", "shape": [2], "data": [1, 2], "parameters": {"content_type": "np"}}
            ]}
            """);

        Assert.Equal(["b", "a"], decoded.Request.Inputs.Select(i => i.Name));
        Assert.Equal([5L], decoded.Request.FindInput("b")!.ToArray<long>());
        Assert.Equal([1f, 2f], decoded.Request.FindInput("a")!.ToArray<float>());
    }

    [Fact]
    public void NoOutputs_AllJsonByDefault()
    {
        var decoded = ReadOk("""{"inputs": []}""");

        Assert.Null(decoded.Request.RequestedOutputs);
        Assert.False(decoded.IsBinary("y"));
        Assert.Equal(new Dictionary<string, bool> { [""] = false }, decoded.BinaryOutputs);
    }

    [Fact]
    public void BinaryDataOutput_SetsTheDefaultForEveryOutput()
    {
        var decoded = ReadOk("""{"inputs": [], "parameters": {"binary_data_output": true, "other": "ignored"}}""");

        Assert.Null(decoded.Request.RequestedOutputs);
        Assert.True(decoded.IsBinary("y"));
        Assert.True(decoded.IsBinary("anything"));
    }

    [Fact]
    public void RequestedOutputs_KeepOrder_AndTheirBinaryFlags()
    {
        var decoded = ReadOk("""
            {"inputs": [],
             "outputs": [{"name": "b", "parameters": {"binary_data": true}}, {"name": "a"}, {"name": "c", "parameters": {"binary_data": false, "classification": 2}}]}
            """);

        Assert.Equal(["b", "a", "c"], decoded.Request.RequestedOutputs);
        Assert.True(decoded.IsBinary("b"));
        Assert.False(decoded.IsBinary("a"));
        Assert.False(decoded.IsBinary("c"));
    }

    [Fact]
    public void BinaryDataOutput_IsTheDefault_ThatOutputsMayOverride()
    {
        var decoded = ReadOk("""
            {"inputs": [], "parameters": {"binary_data_output": true},
             "outputs": [{"name": "a", "parameters": {"binary_data": false}}, {"name": "b"}]}
            """);

        Assert.Equal(["a", "b"], decoded.Request.RequestedOutputs);
        Assert.False(decoded.IsBinary("a"));
        Assert.True(decoded.IsBinary("b"));
    }

    [Fact]
    public void EmptyOutputs_RequestsEveryOutput_AsWhenAbsent()
    {
        Assert.Null(ReadOk("""{"inputs": [], "outputs": []}""").Request.RequestedOutputs);
    }

    private static double[] ToDoubles(InferenceTensor tensor) => tensor.DataType switch
    {
        DataType.Fp16 => tensor.ToArray<Half>().Select(h => (double)h).ToArray(),
        DataType.Bf16 => tensor.ToArray<BFloat16>().Select(b => (double)(float)b).ToArray(),
        DataType.Fp32 => tensor.ToArray<float>().Select(f => (double)f).ToArray(),
        _ => tensor.ToArray<double>(),
    };

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public void Bytes_HelperIsLittleEndian()
    {
        Assert.True(BitConverter.IsLittleEndian || BinaryPrimitives.ReverseEndianness(1) == 1, "these tests assume a little-endian host");
        Assert.Equal(new byte[] { 1, 2 }, Bytes<ushort>(0x0201));
    }
}
