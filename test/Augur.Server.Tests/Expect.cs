using System.Text.Json.Nodes;

namespace Augur.Server.Tests;

/// <summary>Assertions on replies that print the whole reply when they fail.</summary>
public static class Expect
{
    /// <summary>A 200 with a JSON body.</summary>
    public static JsonNode Ok(Reply reply)
    {
        Assert.True(reply.Status == 200, $"expected 200, got {reply}");
        Assert.True(reply.MediaType == "application/json", $"expected application/json, got {reply}");
        return reply.Json;
    }

    /// <summary>A 200 carrying binary tensor data: octet-stream with <c>Inference-Header-Content-Length</c>.</summary>
    public static JsonNode OkBinary(Reply reply)
    {
        Assert.True(reply.Status == 200, $"expected 200, got {reply}");
        Assert.True(reply.MediaType == "application/octet-stream", $"expected application/octet-stream, got {reply}");
        Assert.True(reply.HeaderLength is > 0, $"expected {Reply.HeaderLengthHeader}, got {reply}");
        Assert.True(reply.HeaderLength <= reply.Body.Length, $"{Reply.HeaderLengthHeader} {reply.HeaderLength} exceeds the body ({reply.Body.Length} bytes)");
        return reply.Json;
    }

    /// <summary>
    /// An error with exactly <paramref name="status"/> and the protocol's body, <c>{"error": "..."}</c>, whose
    /// message contains every one of <paramref name="parts"/> (ordinal).
    /// </summary>
    public static void Error(Reply reply, int status, params string[] parts)
    {
        Assert.True(reply.Status == status, $"expected {status}, got {reply}");
        Assert.True(reply.MediaType == "application/json", $"expected an application/json error body, got {reply}");
        var body = Assert.IsType<JsonObject>(reply.Json);
        Assert.True(body.Count == 1 && body["error"] is JsonValue, $"expected {{\"error\": \"...\"}}, got {reply}");
        var message = reply.Error;
        Assert.False(string.IsNullOrWhiteSpace(message), $"empty error message: {reply}");
        foreach (var part in parts)
        {
            Assert.True(message.Contains(part, StringComparison.Ordinal), $"expected the message to contain \"{part}\", got {reply}");
        }
    }
}
