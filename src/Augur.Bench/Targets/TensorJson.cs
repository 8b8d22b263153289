using System.Text;
using System.Text.Json;
using Augur.Tensors;

namespace Augur.Bench.Targets;

/// <summary>Writes a tensor's data as the protocol's flat JSON array.</summary>
internal static class TensorJson
{
    public static void WriteFlat(Utf8JsonWriter writer, InferenceTensor tensor)
    {
        writer.WriteStartArray();
        switch (tensor.DataType)
        {
            case DataType.Fp32: foreach (var v in tensor.AsSpan<float>()) { writer.WriteNumberValue(v); } break;
            case DataType.Fp64: foreach (var v in tensor.AsSpan<double>()) { writer.WriteNumberValue(v); } break;
            case DataType.Fp16: foreach (var v in tensor.AsSpan<Half>()) { writer.WriteNumberValue((float)v); } break;
            case DataType.Int8: foreach (var v in tensor.AsSpan<sbyte>()) { writer.WriteNumberValue(v); } break;
            case DataType.Int16: foreach (var v in tensor.AsSpan<short>()) { writer.WriteNumberValue(v); } break;
            case DataType.Int32: foreach (var v in tensor.AsSpan<int>()) { writer.WriteNumberValue(v); } break;
            case DataType.Int64: foreach (var v in tensor.AsSpan<long>()) { writer.WriteNumberValue(v); } break;
            case DataType.UInt8: foreach (var v in tensor.AsSpan<byte>()) { writer.WriteNumberValue(v); } break;
            case DataType.UInt16: foreach (var v in tensor.AsSpan<ushort>()) { writer.WriteNumberValue(v); } break;
            case DataType.UInt32: foreach (var v in tensor.AsSpan<uint>()) { writer.WriteNumberValue(v); } break;
            case DataType.UInt64: foreach (var v in tensor.AsSpan<ulong>()) { writer.WriteNumberValue(v); } break;
            case DataType.Bool: foreach (var v in tensor.Data.Span) { writer.WriteBooleanValue(v != 0); } break;
            case DataType.Bytes: foreach (var v in tensor.GetBytesElements()) { writer.WriteStringValue(Encoding.UTF8.GetString(v.Span)); } break;
            default:
                // BF16 and anything newer: the sample source fills them with zeros.
                for (var i = 0; i < tensor.ElementCount; i++)
                {
                    writer.WriteNumberValue(0);
                }

                break;
        }

        writer.WriteEndArray();
    }
}
