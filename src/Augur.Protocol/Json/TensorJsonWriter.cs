using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Writes a tensor's elements as the protocol's JSON <c>data</c> array: flat, in row-major order. This is the one
/// writer of tensor JSON; infer responses, the outputs a batch job stores and the load generator's requests all use
/// it, and <see cref="TensorDataReader"/> reads what it writes back to the same bytes.
/// <list type="bullet">
/// <item>BOOL as <c>true</c>/<c>false</c>.</item>
/// <item>Integers as JSON integers; UINT64 and INT64 exactly, never through a double.</item>
/// <item>FP32 and FP64 as the shortest decimal that reads back as the same value. FP16 and BF16 widen exactly to
/// FP32 and are written as that FP32 value, so reading the decimal and rounding it to FP16 or BF16 gives the
/// original value.</item>
/// <item>NaN, +∞ and −∞, which JSON numbers cannot carry, as the strings <c>"NaN"</c>, <c>"Infinity"</c> and
/// <c>"-Infinity"</c>, for every floating-point type.</item>
/// <item>BYTES as JSON strings of each element's UTF-8. Bytes that are not valid UTF-8 become U+FFFD; binary
/// data carries any bytes unchanged.</item>
/// </list>
/// </summary>
public static class TensorJsonWriter
{
    private static readonly JsonEncodedText NaN = JsonEncodedText.Encode("NaN");
    private static readonly JsonEncodedText PositiveInfinity = JsonEncodedText.Encode("Infinity");
    private static readonly JsonEncodedText NegativeInfinity = JsonEncodedText.Encode("-Infinity");

    /// <summary>Writes every element of <paramref name="tensor"/> as a flat JSON array.</summary>
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        WriteData(writer, tensor, 0, tensor.ElementCount);
    }

    /// <summary>
    /// Writes <paramref name="count"/> elements of <paramref name="tensor"/> from element <paramref name="first"/>
    /// (row-major) as a flat JSON array: one row of a batched output, say.
    /// </summary>
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor, long first, long count)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, tensor.ElementCount - first);

        writer.WriteStartArray();
        if (tensor.DataType == DataType.Bytes)
        {
            WriteStrings(writer, tensor.Data.Span, first, count);
        }
        else
        {
            var size = tensor.DataType.ElementSize();
            WriteNumbers(writer, tensor.DataType, tensor.Data.Span.Slice((int)(first * size), (int)(count * size)));
        }

        writer.WriteEndArray();
    }

    // One switch per tensor, then a tight loop per datatype: nothing is allocated per element.
    private static void WriteNumbers(Utf8JsonWriter writer, DataType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case DataType.Bool:
                foreach (var value in data)
                {
                    writer.WriteBooleanValue(value != 0);
                }

                break;
            case DataType.UInt8:
                foreach (var value in data)
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case DataType.Int8:
                foreach (var value in data)
                {
                    writer.WriteNumberValue((sbyte)value);
                }

                break;
            case DataType.UInt16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(data[i..]));
                }

                break;
            case DataType.Int16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(data[i..]));
                }

                break;
            case DataType.UInt32:
                for (var i = 0; i < data.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(data[i..]));
                }

                break;
            case DataType.Int32:
                for (var i = 0; i < data.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(data[i..]));
                }

                break;
            case DataType.UInt64:
                for (var i = 0; i < data.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
                }

                break;
            case DataType.Int64:
                for (var i = 0; i < data.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(data[i..]));
                }

                break;
            case DataType.Fp16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(data[i..]));
                }

                break;
            case DataType.Bf16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    WriteFloat(writer, (float)BFloat16.FromBits(BinaryPrimitives.ReadUInt16LittleEndian(data[i..])));
                }

                break;
            case DataType.Fp32:
                for (var i = 0; i < data.Length; i += 4)
                {
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(data[i..]));
                }

                break;
            case DataType.Fp64:
                for (var i = 0; i < data.Length; i += 8)
                {
                    WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(data[i..]));
                }

                break;
            default:
                throw new ArgumentException($"datatype {type} has no JSON form", nameof(type));
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
            writer.WriteStringValue(float.IsNaN(value) ? NaN : value > 0 ? PositiveInfinity : NegativeInfinity);
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
            writer.WriteStringValue(double.IsNaN(value) ? NaN : value > 0 ? PositiveInfinity : NegativeInfinity);
        }
    }

    // Walks the length-prefixed elements in place (see BytesElements). Valid UTF-8 is written from the bytes
    // themselves; only an element that is not valid UTF-8 is decoded to a string, which replaces the bad bytes.
    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> data, long first, long count)
    {
        for (var index = 0L; index < first + count; index++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            var element = data.Slice(4, length);
            data = data[(4 + length)..];
            if (index < first)
            {
                continue;
            }

            if (Utf8.IsValid(element))
            {
                writer.WriteStringValue(element);
            }
            else
            {
                writer.WriteStringValue(Encoding.UTF8.GetString(element));
            }
        }
    }
}
