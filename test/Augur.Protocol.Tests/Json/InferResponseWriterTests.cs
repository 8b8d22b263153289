using System.Text.Json;
using Augur.Inference;
using Augur.Tensors;
using static Augur.Protocol.Tests.Json.WriterHarness;

namespace Augur.Protocol.Tests.Json;

public sealed class InferResponseWriterTests
{
    [Fact]
    public void Response_HasTheProtocolShape()
    {
        var response = new InferenceResponse("fraud", "3", "req-1",
            [InferenceTensor.Create("probability", new float[] { 0.25f, 1f }, 2, 1), InferenceTensor.Create("label", new long[] { 0, 1 }, 2)], default);

        var (json, binary) = Write(response);

        Assert.Empty(binary);
        Assert.Equal(
            """{"model_name":"fraud","model_version":"3","id":"req-1","outputs":[{"name":"probability","datatype":"FP32","shape":[2,1],"data":[0.25,1]},{"name":"label","datatype":"INT64","shape":[2],"data":[0,1]}]}""",
            json);
    }

    [Fact]
    public void Response_WithoutId_OmitsIt()
    {
        var (json, _) = Write(Response(InferenceTensor.Create("y", new byte[] { 7 })));

        Assert.Equal("""{"model_name":"m","model_version":"1","outputs":[{"name":"y","datatype":"UINT8","shape":[1],"data":[7]}]}""", json);
    }

    [Fact]
    public void Response_WithNoOutputs()
    {
        Assert.Equal("""{"model_name":"m","model_version":"1","outputs":[]}""", Write(Response()).Json);
    }

    [Fact]
    public void Strings_AreEscapedAsJson()
    {
        var response = new InferenceResponse("m\"x", "1", "line\nbreak", [], default);

        using var document = JsonDocument.Parse(Write(response).Json);
        Assert.Equal("m\"x", document.RootElement.GetProperty("model_name").GetString());
        Assert.Equal("line\nbreak", document.RootElement.GetProperty("id").GetString());
    }

    public static TheoryData<InferenceTensor, string> EveryDatatype() => new()
    {
        { InferenceTensor.Create("y", new[] { true, false }), "[true,false]" },
        { InferenceTensor.Create("y", new byte[] { 0, 255 }), "[0,255]" },
        { InferenceTensor.Create("y", new ushort[] { 0, 65535 }), "[0,65535]" },
        { InferenceTensor.Create("y", new uint[] { 0, uint.MaxValue }), "[0,4294967295]" },
        { InferenceTensor.Create("y", new ulong[] { 0, ulong.MaxValue }), "[0,18446744073709551615]" },
        { InferenceTensor.Create("y", new sbyte[] { -128, 127 }), "[-128,127]" },
        { InferenceTensor.Create("y", new short[] { short.MinValue, short.MaxValue }), "[-32768,32767]" },
        { InferenceTensor.Create("y", new[] { int.MinValue, int.MaxValue }), "[-2147483648,2147483647]" },
        { InferenceTensor.Create("y", new[] { long.MinValue, long.MaxValue }), "[-9223372036854775808,9223372036854775807]" },
        { InferenceTensor.Create("y", new[] { (Half)1.5, (Half)(-0.25) }), "[1.5,-0.25]" },
        { InferenceTensor.Create("y", new[] { (BFloat16)1.5f, (BFloat16)(-3.140625f) }), "[1.5,-3.140625]" },
        { InferenceTensor.Create("y", new[] { 0.1f, -2.5f }), "[0.1,-2.5]" },
        { InferenceTensor.Create("y", new[] { 0.1, -1e300 }), "[0.1,-1E+300]" },
        { InferenceTensor.CreateStrings("y", ["a", "", "wörld"]), """["a","","wörld"]""" },
        { InferenceTensor.Create("y", new[] { Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity }), """["NaN","Infinity","-Infinity"]""" },
        { InferenceTensor.Create("y", new[] { (BFloat16)float.NaN, (BFloat16)float.PositiveInfinity, (BFloat16)float.NegativeInfinity }), """["NaN","Infinity","-Infinity"]""" },
        { InferenceTensor.Create("y", new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity }), """["NaN","Infinity","-Infinity"]""" },
        { InferenceTensor.Create("y", new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }), """["NaN","Infinity","-Infinity"]""" },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void EveryDatatype_EncodesAsJsonValues(InferenceTensor tensor, string expected)
    {
        var (json, _) = Write(Response(tensor));

        Assert.Equal(expected, DataOf(json));
        using var document = JsonDocument.Parse(json);
        var output = document.RootElement.GetProperty("outputs")[0];
        Assert.Equal(tensor.DataType.Name(), output.GetProperty("datatype").GetString());
        Assert.Equal(tensor.Shape.ToArray(), output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public void NestedShapes_AreWrittenFlat()
    {
        var (json, _) = Write(Response(InferenceTensor.Create("y", new[] { 1, 2, 3, 4, 5, 6 }, 2, 3)));

        Assert.Equal("[1,2,3,4,5,6]", DataOf(json));
    }

    [Fact]
    public void BinaryOutputs_GetTheirSize_AndAreReturnedInOrder()
    {
        var a = InferenceTensor.Create("a", new[] { 1f, 2f, 3f });
        var b = InferenceTensor.Create("b", new[] { 7L });
        var c = InferenceTensor.CreateStrings("c", ["xy", "z"]);

        var (json, binary) = Write(Response(a, b, c), Decoded(false, ("a", true), ("b", false), ("c", true)));

        Assert.Equal(["a", "c"], binary.Select(t => t.Name));
        Assert.Same(a, binary[0]);
        Assert.Same(c, binary[1]);
        Assert.Equal(
            """{"model_name":"m","model_version":"1","outputs":[{"name":"a","datatype":"FP32","shape":[3],"parameters":{"binary_data_size":12}},{"name":"b","datatype":"INT64","shape":[1],"data":[7]},{"name":"c","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":11}}]}""",
            json);
    }

    [Fact]
    public void BinaryDataOutputDefault_AppliesToEveryOutput()
    {
        var a = InferenceTensor.Create("a", new byte[] { 1 });
        var b = InferenceTensor.Create("b", new byte[] { 2, 3 });

        var (json, binary) = Write(Response(b, a), Decoded(true));

        Assert.Equal(["b", "a"], binary.Select(t => t.Name));
        using var document = JsonDocument.Parse(json);
        var outputs = document.RootElement.GetProperty("outputs");
        Assert.Equal(2, outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(1, outputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(outputs[0].TryGetProperty("data", out _));
    }
}
