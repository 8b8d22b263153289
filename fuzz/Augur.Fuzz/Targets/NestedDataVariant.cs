using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Augur.Protocol.Json;

namespace Augur.Fuzz.Targets;

/// <summary>
/// The same JSON request with every input's flat <c>data</c> nested one level deeper (shape <c>[1, count]</c>).
/// Flat numeric data may be decoded by a fast path; nested data always takes the general one. The two must accept
/// the same requests and decode the same bytes, so a request that decoded must decode again, unchanged, this way.
/// </summary>
internal static class NestedDataVariant
{
    /// <summary>
    /// The variant's body and header length, and which inputs were nested; null when the request cannot be
    /// rewritten (System.Text.Json.Nodes is stricter than the reader, e.g. about repeated keys) or has no flat data.
    /// </summary>
    public static (byte[] Body, long? HeaderLength, bool[] Nested)? TryCreate(ReadOnlyMemory<byte> body, long? headerLength, DecodedInferRequest decoded)
    {
        var json = headerLength is { } length ? body[..(int)length] : body;
        var binary = headerLength is { } offset ? body[(int)offset..] : ReadOnlyMemory<byte>.Empty;
        string rewritten;
        var nested = new bool[decoded.Request.Inputs.Count];
        try
        {
            if (JsonNode.Parse(json.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject root
                || root["inputs"] is not JsonArray inputs)
            {
                return null;
            }

            for (var i = 0; i < inputs.Count; i++)
            {
                var count = decoded.Request.Inputs[i].ElementCount;
                if (inputs[i] is JsonObject input && input["data"] is JsonArray data && count > 0 && data[0] is not JsonArray)
                {
                    var copy = data.DeepClone();
                    input["shape"] = new JsonArray(JsonValue.Create(1L), JsonValue.Create(count));
                    input["data"] = new JsonArray(copy);
                    nested[i] = true;
                }
            }

            if (!nested.Contains(true))
            {
                return null;
            }

            rewritten = root.ToJsonString();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }

        var header = Encoding.UTF8.GetBytes(rewritten);
        return ([.. header, .. binary.Span], headerLength is null ? null : header.Length, nested);
    }
}
