using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Augur.Protocol.Json;
using Augur.Tensors;
using static Augur.Protocol.Tests.Json.WriterHarness;

namespace Augur.Protocol.Tests.Json;

/// <summary>What the writer produces, the reader decodes to the same bytes (an output fed back as an input).</summary>
public sealed class RoundTripTests
{
    public static TheoryData<InferenceTensor> EveryDatatype() => new()
    {
        InferenceTensor.Create("t", new[] { true, false, true, true }, 2, 2),
        InferenceTensor.Create("t", new byte[] { 0, 1, 128, 255 }, 2, 2),
        InferenceTensor.Create("t", new ushort[] { 0, 1, 40000, ushort.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new uint[] { 0, 1, 3_000_000_000, uint.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new ulong[] { 0, 1, 1UL << 63, ulong.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new sbyte[] { sbyte.MinValue, -1, 0, sbyte.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new short[] { short.MinValue, -1, 0, short.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new[] { int.MinValue, -1, 0, int.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new[] { long.MinValue, -1, 0, long.MaxValue }, 2, 2),
        InferenceTensor.Create("t", new[] { (Half)0.1, (Half)(-2), Half.MaxValue, Half.Epsilon, Half.MinValue, (Half)(-0.0), Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity }, 3, 3),
        InferenceTensor.Create("t", new[] { (BFloat16)0.1f, (BFloat16)(-3.14159f), (BFloat16)1e30f, (BFloat16)1e-30f, (BFloat16)(-0f), (BFloat16)float.NaN, (BFloat16)float.PositiveInfinity, (BFloat16)float.NegativeInfinity, BFloat16.FromBits(0x0001) }, 3, 3),
        InferenceTensor.Create("t", new[] { 0.1f, 1f / 3, float.MaxValue, float.MinValue, float.Epsilon, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 16777217f, 1.17549435E-38f, 123456.79f }, 3, 4),
        InferenceTensor.Create("t", new[] { 0.1, 1.0 / 3, double.MaxValue, double.MinValue, double.Epsilon, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, Math.PI, 2.2250738585072014E-308, 9007199254740993.0 }, 3, 4),
        InferenceTensor.CreateStrings("t", ["", "a", "wörld", "😀", "quote\"back\\slash", "\0", "line\nbreak", "<&>'"], 2, 4),
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void JsonData_RoundTripsToIdenticalBytes(InferenceTensor tensor)
    {
        var (json, binary) = Write(Response(tensor));
        Assert.Empty(binary);

        var decoded = ReadBack(json, []);

        AssertSameTensor(tensor, decoded);
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void BinaryData_RoundTripsToIdenticalBytes(InferenceTensor tensor)
    {
        var (json, binary) = Write(Response(tensor, InferenceTensor.Create("extra", new[] { 5 })), Decoded(true));
        Assert.Equal(2, binary.Count);

        var decoded = ReadBack(json, binary.Select(b => b.Data.ToArray()).ToArray());

        AssertSameTensor(tensor, decoded);
    }

    /// <summary>Turns a response's outputs into a request's inputs (same objects), appends the binary parts, and reads it.</summary>
    private static InferenceTensor ReadBack(string responseJson, byte[][] binary)
    {
        var outputs = JsonNode.Parse(responseJson)!["outputs"]!.DeepClone();
        var request = new JsonObject { ["inputs"] = outputs }.ToJsonString();
        var header = Encoding.UTF8.GetBytes(request);
        byte[] body = [.. header, .. binary.SelectMany(b => b)];

        Assert.True(
            InferRequestReader.TryRead(body, binary.Length == 0 ? null : header.Length, "m", null, new JsonCodecOptions(), out var decoded, out var error),
            error?.ToString());
        return decoded.Request.Inputs[0];
    }

    private static void AssertSameTensor(InferenceTensor expected, InferenceTensor actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.DataType, actual.DataType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(Convert.ToHexString(expected.Data.Span), Convert.ToHexString(actual.Data.Span));
    }

    [Fact]
    public void WriterOutput_IsValidJson()
    {
        foreach (var tensor in EveryDatatype())
        {
            using var document = JsonDocument.Parse(Write(Response(tensor)).Json);
            Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("outputs")[0].GetProperty("data").ValueKind);
        }
    }
}
