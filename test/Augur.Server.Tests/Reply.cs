using System.Text;
using System.Text.Json.Nodes;

namespace Augur.Server.Tests;

/// <summary>An HTTP response read in full: status, media type, body and the binary tensor data split.</summary>
public sealed class Reply(int status, string? mediaType, byte[] body, long? headerLength)
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    private JsonNode? _json;

    public int Status { get; } = status;

    public string? MediaType { get; } = mediaType;

    public byte[] Body { get; } = body;

    /// <summary>The <c>Inference-Header-Content-Length</c> response header, when present.</summary>
    public long? HeaderLength { get; } = headerLength;

    /// <summary>The JSON part: the first <see cref="HeaderLength"/> bytes, or the whole body.</summary>
    public JsonNode Json => _json ??= JsonNode.Parse(Body.AsSpan(0, (int)(HeaderLength ?? Body.Length)))
        ?? throw new InvalidOperationException("the body is JSON null");

    /// <summary>The binary section after the JSON part (empty without the header).</summary>
    public byte[] Binary => HeaderLength is { } length ? Body[(int)length..] : [];

    public string Error => Json["error"]!.GetValue<string>();

    /// <summary>The output named <paramref name="name"/> of an infer response.</summary>
    public JsonObject Output(string name) =>
        Json["outputs"]!.AsArray().Select(o => o!.AsObject()).SingleOrDefault(o => o["name"]!.GetValue<string>() == name)
        ?? throw new Xunit.Sdk.XunitException($"the response has no output '{name}': {this}");

    public string[] OutputNames => Json["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToArray();

    public override string ToString()
    {
        var text = MediaType == "application/octet-stream" && HeaderLength is { } length
            ? Encoding.UTF8.GetString(Body, 0, (int)length) + $" + {Body.Length - length} binary bytes"
            : Encoding.UTF8.GetString(Body);
        return $"{Status} {MediaType}: {(text.Length > 2000 ? text[..2000] + "..." : text)}";
    }
}
