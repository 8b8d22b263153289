using System.Buffers;
using System.Text.Json;
using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Json;

namespace Augur.Streams;

/// <summary>The <c>body</c> of an output entry: the OIP JSON response (as REST writes it) or <c>{"error": "..."}</c>.</summary>
internal static class OutcomeBody
{
    /// <summary>The response body; binary outputs (when the request asked for them) follow the JSON, whose length is then returned too.</summary>
    public static (byte[] Body, int? HeaderLength) Response(InferenceResponse response, DecodedInferRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var binary = InferResponseWriter.WriteJson(buffer, response, request);
        var jsonLength = buffer.WrittenCount;
        foreach (var tensor in binary)
        {
            buffer.Write(tensor.Data.Span);
        }

        return (buffer.WrittenSpan.ToArray(), binary.Count > 0 ? jsonLength : null);
    }

    public static byte[] Error(InferenceError error) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["error"] = error.Message });

    /// <summary>The error code as the outcome tags of Augur's metrics spell it: <c>invalid_argument</c>, ...</summary>
    public static string Code(ErrorCode code) => JsonNamingPolicy.SnakeCaseLower.ConvertName(code.ToString());
}
