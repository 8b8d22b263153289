using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Decodes the JSON <c>data</c> of a tensor (flat or nested arrays, row-major) into Augur's byte layout,
/// checking each element's type and range. Floating-point elements may also be the strings
/// "NaN", "Infinity" and "-Infinity", as the response writer produces them.
/// </summary>
internal static class TensorDataReader
{
    public static bool TryRead(JsonElement data, string input, DataType type, long count, out byte[] bytes, out string? problem)
    {
        bytes = [];
        if (data.ValueKind != JsonValueKind.Array)
        {
            problem = $"input '{input}': data must be a JSON array, not {Describe(data)}";
            return false;
        }

        var elements = new List<JsonElement>();
        Flatten(data, elements);
        if (elements.Count != count)
        {
            problem = $"input '{input}': the shape needs {count} elements but data has {elements.Count}";
            return false;
        }

        if (type == DataType.Bytes)
        {
            return TryReadStrings(elements, input, out bytes, out problem);
        }

        bytes = new byte[count * type.ElementSize()];
        for (var i = 0; i < elements.Count; i++)
        {
            problem = Write(elements[i], type, bytes.AsSpan(i * type.ElementSize()));
            if (problem is not null)
            {
                problem = $"input '{input}': element {i} {problem}";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static void Flatten(JsonElement array, List<JsonElement> elements)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, elements);
            }
            else
            {
                elements.Add(item);
            }
        }
    }

    private static bool TryReadStrings(List<JsonElement> elements, string input, out byte[] bytes, out string? problem)
    {
        var values = new byte[elements.Count][];
        for (var i = 0; i < values.Length; i++)
        {
            if (elements[i].ValueKind != JsonValueKind.String)
            {
                bytes = [];
                problem = $"input '{input}': element {i} is {Describe(elements[i])}, not a string (datatype BYTES)";
                return false;
            }

            values[i] = Encoding.UTF8.GetBytes(elements[i].GetString()!);
        }

        bytes = BytesElements.Encode(values);
        problem = null;
        return true;
    }

    private static string? Write(JsonElement element, DataType type, Span<byte> destination)
    {
        switch (type)
        {
            case DataType.Bool:
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return $"is {Describe(element)}, not a boolean (datatype BOOL)";
                }

                destination[0] = element.ValueKind == JsonValueKind.True ? (byte)1 : (byte)0;
                return null;
            case DataType.Fp16:
            case DataType.Bf16:
            case DataType.Fp32:
            case DataType.Fp64:
                return WriteFloat(element, type, destination);
            default:
                return WriteInteger(element, type, destination);
        }
    }

    private static string? WriteFloat(JsonElement element, DataType type, Span<byte> destination)
    {
        if (!TryGetDouble(element, out var value))
        {
            return $"is {Describe(element)}, not a number (datatype {type.Name()})";
        }

        switch (type)
        {
            case DataType.Fp16:
                BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value);
                break;
            case DataType.Bf16:
                BinaryPrimitives.WriteUInt16LittleEndian(destination, ((BFloat16)(float)value).Bits);
                break;
            case DataType.Fp32:
                BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
                break;
        }

        return null;
    }

    private static bool TryGetDouble(JsonElement element, out double value)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.TryGetDouble(out value);
        }

        value = element.ValueKind == JsonValueKind.String ? element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => 0,
        } : 0;
        return element.ValueKind == JsonValueKind.String && (double.IsNaN(value) || double.IsInfinity(value));
    }

    private static string? WriteInteger(JsonElement element, DataType type, Span<byte> destination)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            return $"is {Describe(element)}, not an integer (datatype {type.Name()})";
        }

        if (type == DataType.UInt64)
        {
            if (!element.TryGetUInt64(out var unsigned))
            {
                return $"({element.GetRawText()}) is not an integer in the range of UINT64";
            }

            BinaryPrimitives.WriteUInt64LittleEndian(destination, unsigned);
            return null;
        }

        if (!element.TryGetInt64(out var value))
        {
            return $"({element.GetRawText()}) is not an integer in the range of {type.Name()}";
        }

        var (min, max) = Range(type);
        if (value < min || value > max)
        {
            return $"({value}) is out of range for {type.Name()} ({min} to {max})";
        }

        switch (type.ElementSize())
        {
            case 1: destination[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteInt16LittleEndian(destination, (short)value); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)value); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(destination, value); break;
        }

        return null;
    }

    private static (long Min, long Max) Range(DataType type) => type switch
    {
        DataType.UInt8 => (byte.MinValue, byte.MaxValue),
        DataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        DataType.UInt32 => (uint.MinValue, uint.MaxValue),
        DataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        DataType.Int16 => (short.MinValue, short.MaxValue),
        DataType.Int32 => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    internal static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string {Truncate(element.GetRawText())}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => $"the number {Truncate(element.GetRawText())}",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
