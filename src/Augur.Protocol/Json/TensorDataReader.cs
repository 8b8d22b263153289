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
    public static bool TryRead(JsonElement data, string input, DataType type, long[] shape, long count, out byte[] bytes, out string? problem)
    {
        bytes = [];
        if (data.ValueKind != JsonValueKind.Array)
        {
            problem = $"input '{input}': data must be a JSON array, not {Describe(data)}";
            return false;
        }

        var elements = new List<JsonElement>();
        var nested = data.GetArrayLength() > 0 && data[0].ValueKind == JsonValueKind.Array;
        if (!(nested ? FlattenNested(data, shape, 0, elements) : FlattenFlat(data, elements)))
        {
            problem = nested
                ? $"input '{input}': the nesting of data does not match shape {TensorShape.Format(shape)}"
                : $"input '{input}': data mixes arrays and values; send it flat or nested to match the shape";
            return false;
        }

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

    private static bool FlattenFlat(JsonElement array, List<JsonElement> elements)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                return false;
            }

            elements.Add(item);
        }

        return true;
    }

    // Nested data must mirror the shape: one level per dimension, each array as long as its dimension.
    private static bool FlattenNested(JsonElement array, long[] shape, int level, List<JsonElement> elements)
    {
        if (level >= shape.Length || array.GetArrayLength() != shape[level])
        {
            return false;
        }

        var innermost = level == shape.Length - 1;
        foreach (var item in array.EnumerateArray())
        {
            if (innermost ? item.ValueKind == JsonValueKind.Array : !(item.ValueKind == JsonValueKind.Array && FlattenNested(item, shape, level + 1, elements)))
            {
                return false;
            }

            if (innermost)
            {
                elements.Add(item);
            }
        }

        return true;
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

        if (element.ValueKind == JsonValueKind.Number && !double.IsFinite(value))
        {
            return $"({element.GetRawText()}) is out of range for {type.Name()}";
        }

        var overflowed = false;
        switch (type)
        {
            case DataType.Fp16:
                var half = (Half)value;
                overflowed = Half.IsInfinity(half);
                BinaryPrimitives.WriteHalfLittleEndian(destination, half);
                break;
            case DataType.Bf16:
                var single = (float)value;
                var bf16 = (BFloat16)single;
                overflowed = float.IsInfinity((float)bf16);
                BinaryPrimitives.WriteUInt16LittleEndian(destination, bf16.Bits);
                break;
            case DataType.Fp32:
                overflowed = float.IsInfinity((float)value);
                BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
                break;
        }

        // A finite number that only fits as infinity is a mistake (a unit error, a wrong datatype), not a value.
        return overflowed && double.IsFinite(value) ? $"({element.GetRawText()}) is out of range for {type.Name()}" : null;
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
