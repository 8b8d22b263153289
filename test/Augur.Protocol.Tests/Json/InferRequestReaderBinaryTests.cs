using System.Runtime.InteropServices;
using Augur.Tensors;
using static Augur.Protocol.Tests.Json.ReaderHarness;

namespace Augur.Protocol.Tests.Json;

public sealed class InferRequestReaderBinaryTests
{
    [Fact]
    public void BinaryInput_IsSlicedFromTheBodyWithoutACopy()
    {
        var values = MemoryMarshal.AsBytes(new float[] { 1.5f, -2f }.AsSpan()).ToArray();
        var (body, header) = WithBinary("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [2], "parameters": {"binary_data_size": 8}}]}""", values);

        var tensor = ReadOk(body, header).Request.Inputs[0];

        Assert.Equal([1.5f, -2f], tensor.ToArray<float>());
        Assert.True(MemoryMarshal.TryGetArray(tensor.Data, out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal(header, segment.Offset);
        Assert.Equal(8, segment.Count);
    }

    [Fact]
    public void MixedJsonAndBinaryInputs_TakeBinaryDataInInputOrder()
    {
        var a = MemoryMarshal.AsBytes(new int[] { 1, 2, 3 }.AsSpan()).ToArray();
        var c = BytesElements.Encode(["hi", ""]);
        var (body, header) = WithBinary("""
            {"inputs": [
              {"name": "a", "datatype": "INT32", "shape": [3], "parameters": {"binary_data_size": 12}},
              {"name": "b", "datatype": "BOOL", "shape": [2], "data": [true, false]},
              {"name": "c", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": 10}},
              {"name": "d", "datatype": "UINT8", "shape": [0], "parameters": {"binary_data_size": 0}}
            ],
             "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}
            """, a, c);

        var inputs = ReadOk(body, header).Request.Inputs;

        Assert.Equal(["a", "b", "c", "d"], inputs.Select(i => i.Name));
        Assert.Equal([1, 2, 3], inputs[0].ToArray<int>());
        Assert.Equal([true, false], inputs[1].ToArray<bool>());
        Assert.Equal(["hi", ""], inputs[2].ToStrings());
        Assert.Equal(0, inputs[3].ElementCount);
    }

    [Fact]
    public void HeaderLengthEqualToTheBody_MeansNoBinaryData()
    {
        var json = Utf8(Input("INT8", "[1]", "[5]"));

        Assert.Equal([(sbyte)5], ReadOk(json, json.Length).Request.Inputs[0].ToArray<sbyte>());
    }

    [Fact]
    public void SizeLargerThanTheBinaryData_IsRejected()
    {
        var (body, header) = WithBinary("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [4], "parameters": {"binary_data_size": 16}}]}""", new byte[8]);

        Assert.Equal("input 'x': binary_data_size 16 exceeds the 8 bytes of binary data left in the request body", ReadError(body, header));
    }

    [Fact]
    public void SizeLargerThanTheBinaryData_WithoutAHeaderLength_IsRejected()
    {
        Assert.Equal(
            "input 'x': binary_data_size 4 exceeds the 0 bytes of binary data left in the request body",
            ReadError("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "parameters": {"binary_data_size": 4}}]}"""));
    }

    [Fact]
    public void SizeDisagreeingWithTheShape_IsRejected()
    {
        var (body, header) = WithBinary("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [3], "parameters": {"binary_data_size": 8}}]}""", new byte[8]);

        Assert.Equal("input 'x': binary_data_size 8 disagrees with the shape: shape [3] of FP32 needs 12 bytes but the data has 8", ReadError(body, header));
    }

    [Fact]
    public void BinaryBytesDisagreeingWithTheShape_IsRejected()
    {
        var data = BytesElements.Encode(["a", "b", "c"]);
        var (body, header) = WithBinary($$$"""{"inputs": [{"name": "s", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": {{{data.Length}}}}}]}""", data);

        Assert.Equal("input 's': binary_data_size 15 disagrees with the shape: shape [2] needs 2 elements but the data has 3", ReadError(body, header));
    }

    [Fact]
    public void MalformedBinaryBytes_AreRejected()
    {
        var (body, header) = WithBinary("""{"inputs": [{"name": "s", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 5}}]}""", [9, 0, 0, 0, 1]);

        var message = ReadError(body, header);
        Assert.StartsWith("input 's': binary_data_size 5 disagrees with the shape: BYTES data is malformed", message);
    }

    [Theory]
    [InlineData("-1", "the number -1")]
    [InlineData("1.5", "the number 1.5")]
    [InlineData("\"8\"", "the string \"8\"")]
    [InlineData("true", "the boolean true")]
    [InlineData("null", "null")]
    public void SizeThatIsNotANonNegativeInteger_IsRejected(string size, string described)
    {
        var (body, header) = WithBinary($$$"""{"inputs": [{"name": "x", "datatype": "UINT8", "shape": [1], "parameters": {"binary_data_size": {{{size}}}}}]}""", [1]);

        Assert.Equal($"parameter 'binary_data_size' of input 'x' must be a non-negative integer, not {described}", ReadError(body, header));
    }

    [Fact]
    public void LeftoverBinaryBytes_AreRejected()
    {
        var (body, header) = WithBinary("""{"inputs": [{"name": "x", "datatype": "UINT8", "shape": [2], "parameters": {"binary_data_size": 2}}]}""", [1, 2, 3, 4, 5, 6]);

        Assert.Equal("the request body has 4 bytes of binary data that no input claims (check each input's binary_data_size)", ReadError(body, header));
    }

    [Fact]
    public void BinaryBytesWithOnlyJsonInputs_AreRejected()
    {
        var (body, header) = WithBinary(Input("UINT8", "[1]", "[1]"), [7]);

        Assert.Equal("the request body has 1 bytes of binary data that no input claims (check each input's binary_data_size)", ReadError(body, header));
    }

    [Fact]
    public void DataAndBinaryDataSize_AreMutuallyExclusive()
    {
        var (body, header) = WithBinary("""{"inputs": [{"name": "x", "datatype": "UINT8", "shape": [1], "data": [1], "parameters": {"binary_data_size": 1}}]}""", [1]);

        Assert.Equal("input 'x' has both 'data' and binary_data_size; send one or the other", ReadError(body, header));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void HeaderLengthOutsideTheBody_IsRejected(long delta)
    {
        var body = Utf8(Input("UINT8", "[1]", "[1]"));
        var headerLength = delta > 0 ? (delta == long.MaxValue ? long.MaxValue : body.Length + delta) : delta;

        Assert.Equal($"Inference-Header-Content-Length is {headerLength} but the request body has {body.Length} bytes", ReadError(body, headerLength));
    }

    [Fact]
    public void HeaderLengthCuttingTheJson_IsInvalidJson()
    {
        var body = Utf8(Input("UINT8", "[1]", "[1]"));

        Assert.StartsWith("the request body is not valid JSON: ", ReadError(body, body.Length - 1));
    }
}
