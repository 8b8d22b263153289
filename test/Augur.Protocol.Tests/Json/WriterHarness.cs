using System.Buffers;
using System.Text;
using System.Text.Json;
using Augur.Inference;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

internal static class WriterHarness
{
    public static DecodedInferRequest AllJson { get; } = Decoded(binaryDefault: false);

    public static DecodedInferRequest Decoded(bool binaryDefault, params (string Name, bool Binary)[] outputs)
    {
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal) { [string.Empty] = binaryDefault };
        foreach (var (name, binary) in outputs)
        {
            flags[name] = binary;
        }

        return new DecodedInferRequest(new InferenceRequest("m", []) { RequestedOutputs = outputs.Length == 0 ? null : outputs.Select(o => o.Name).ToArray() }, flags);
    }

    public static InferenceResponse Response(params InferenceTensor[] outputs) => new("m", "1", null, outputs, default);

    public static (string Json, IReadOnlyList<InferenceTensor> Binary) Write(InferenceResponse response, DecodedInferRequest? request = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var binary = InferResponseWriter.WriteJson(buffer, response, request ?? AllJson);
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), binary);
    }

    /// <summary>The raw JSON text of the data of the output at <paramref name="index"/>.</summary>
    public static string DataOf(string json, int index = 0)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("outputs")[index].GetProperty("data").GetRawText();
    }
}
