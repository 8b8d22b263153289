using System.Buffers;
using System.Text.Json;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Encodes an infer response: JSON, with the outputs the client asked for as binary appended after it
/// (binary tensor data extension). The other outputs' data is written by <see cref="TensorJsonWriter"/>.
/// </summary>
public static class InferResponseWriter
{
    /// <summary>Writes the JSON part; returns the outputs to append as binary, in order (empty when none).</summary>
    public static IReadOnlyList<InferenceTensor> WriteJson(IBufferWriter<byte> destination, InferenceResponse response, DecodedInferRequest request)
    {
        var binary = new List<InferenceTensor>();
        using var writer = new Utf8JsonWriter(destination, JsonWriterDefaults.Options);
        writer.WriteStartObject();
        writer.WriteString("model_name", response.ModelName);
        writer.WriteString("model_version", response.ModelVersion);
        if (response.Id is not null)
        {
            writer.WriteString("id", response.Id);
        }

        if (response.PredictionSource is { } source)
        {
            writer.WriteStartObject("parameters");
            writer.WriteString(ProtocolParameters.PredictionSource, source);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("outputs");
        foreach (var output in response.Outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", output.Name);
            writer.WriteString("datatype", output.DataType.Name());
            WriteShape(writer, output.Shape);
            if (request.IsBinary(output.Name))
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", output.Data.Length);
                writer.WriteEndObject();
                binary.Add(output);
            }
            else
            {
                writer.WritePropertyName("data");
                TensorJsonWriter.WriteData(writer, output);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return binary;
    }

    /// <summary>Writes <c>"shape": [...]</c>.</summary>
    internal static void WriteShape(Utf8JsonWriter writer, ReadOnlySpan<long> shape)
    {
        writer.WriteStartArray("shape");
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
    }
}
