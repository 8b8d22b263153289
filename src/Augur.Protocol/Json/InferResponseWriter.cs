using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Encodes an infer response: JSON, with the outputs the client asked for as binary appended after it
/// (binary tensor data extension). Non-finite floats are written as the strings "NaN", "Infinity" and "-Infinity".
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
                WriteData(writer, output);
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

    /// <summary>Writes a tensor's elements as a flat JSON array.</summary>
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor)
    {
        writer.WriteStartArray();
        var span = tensor.Data.Span;
        var size = tensor.DataType.ElementSize();
        if (tensor.DataType == DataType.Bytes)
        {
            foreach (var element in tensor.GetBytesElements())
            {
                writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(element.Span));
            }
        }
        else
        {
            for (var i = 0; i < tensor.ElementCount; i++)
            {
                WriteElement(writer, tensor.DataType, span.Slice(i * size, size));
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter writer, DataType type, ReadOnlySpan<byte> bytes)
    {
        switch (type)
        {
            case DataType.Bool: writer.WriteBooleanValue(bytes[0] != 0); break;
            case DataType.UInt8: writer.WriteNumberValue(bytes[0]); break;
            case DataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(bytes)); break;
            case DataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(bytes)); break;
            case DataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(bytes)); break;
            case DataType.Int8: writer.WriteNumberValue((sbyte)bytes[0]); break;
            case DataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(bytes)); break;
            case DataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(bytes)); break;
            case DataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(bytes)); break;
            case DataType.Fp16: WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(bytes)); break;
            case DataType.Bf16: WriteFloat(writer, (float)BFloat16.FromBits(BinaryPrimitives.ReadUInt16LittleEndian(bytes))); break;
            case DataType.Fp32: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(bytes)); break;
            default: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(bytes)); break;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
