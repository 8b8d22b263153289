using System.Buffers;
using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>Encodes the protocol's metadata and error bodies.</summary>
public static class MetadataWriter
{
    /// <summary>The protocol extensions Augur implements, as listed in server metadata.</summary>
    public static IReadOnlyList<string> Extensions { get; } = ["binary_tensor_data", "model_repository"];

    /// <summary><c>GET /v2</c>: name, version, extensions.</summary>
    public static void WriteServer(IBufferWriter<byte> destination, string name, string version)
    {
        using var writer = new Utf8JsonWriter(destination, JsonWriterDefaults.Options);
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("version", version);
        writer.WriteStartArray("extensions");
        foreach (var extension in Extensions)
        {
            writer.WriteStringValue(extension);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>GET /v2/models/{model}</c>: name, versions, platform, inputs, outputs; max batch size as a parameter.</summary>
    public static void WriteModel(IBufferWriter<byte> destination, ModelMetadata metadata)
    {
        using var writer = new Utf8JsonWriter(destination, JsonWriterDefaults.Options);
        writer.WriteStartObject();
        writer.WriteString("name", metadata.Name);
        writer.WriteStartArray("versions");
        foreach (var version in metadata.Versions)
        {
            writer.WriteStringValue(version);
        }

        writer.WriteEndArray();
        writer.WriteString("platform", metadata.Platform);
        WriteTensors(writer, "inputs", metadata.Signature.Inputs);
        WriteTensors(writer, "outputs", metadata.Signature.Outputs);
        writer.WriteStartObject("parameters");
        writer.WriteNumber("max_batch_size", metadata.MaxBatchSize);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The error body of every /v2 route: <c>{"error": "..."}</c>.</summary>
    public static void WriteError(IBufferWriter<byte> destination, string message)
    {
        using var writer = new Utf8JsonWriter(destination, JsonWriterDefaults.Options);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    }

    private static void WriteTensors(Utf8JsonWriter writer, string property, IReadOnlyList<TensorSpec> tensors)
    {
        writer.WriteStartArray(property);
        foreach (var tensor in tensors)
        {
            writer.WriteStartObject();
            writer.WriteString("name", tensor.Name);
            writer.WriteString("datatype", tensor.DataType.Name());
            InferResponseWriter.WriteShape(writer, tensor.Shape);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
