using System.Text;
using Augur.Errors;
using Augur.Protocol.Json;

namespace Augur.Protocol.Tests.Json;

internal static class ReaderHarness
{
    public static readonly JsonCodecOptions Options = new();

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The body of a binary-extension request: the JSON, then <paramref name="binary"/>.</summary>
    public static (byte[] Body, long HeaderLength) WithBinary(string json, params byte[][] binary)
    {
        var header = Utf8(json);
        return ([.. header, .. binary.SelectMany(b => b)], header.Length);
    }

    public static DecodedInferRequest ReadOk(string json, string model = "m", string? version = null) =>
        ReadOk(Utf8(json), null, model, version);

    public static DecodedInferRequest ReadOk(ReadOnlyMemory<byte> body, long? headerLength, string model = "m", string? version = null, JsonCodecOptions? options = null)
    {
        var ok = InferRequestReader.TryRead(body, headerLength, model, version, options ?? Options, out var decoded, out var error);
        Assert.True(ok, error?.ToString());
        Assert.Null(error);
        return decoded;
    }

    public static string ReadError(string json, JsonCodecOptions? options = null) => ReadError(Utf8(json), null, options);

    public static string ReadError(ReadOnlyMemory<byte> body, long? headerLength, JsonCodecOptions? options = null)
    {
        var ok = InferRequestReader.TryRead(body, headerLength, "m", null, options ?? Options, out var decoded, out var error);
        Assert.False(ok, "the request was expected to be rejected");
        Assert.Null(decoded);
        Assert.NotNull(error);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        return error.Message;
    }

    /// <summary>One input named "x" with the given datatype, shape and raw JSON data.</summary>
    public static string Input(string datatype, string shape, string data) =>
        $$"""{"inputs": [{"name": "x", "datatype": "{{datatype}}", "shape": {{shape}}, "data": {{data}}}]}""";
}
