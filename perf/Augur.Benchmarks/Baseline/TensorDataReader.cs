using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Augur.Tensors;

namespace Augur.Benchmarks.Baseline;

/// <summary>
/// Decodes the JSON <c>data</c> of a tensor (flat or nested arrays, row-major) into Augur's byte layout,
/// checking each element's type and range. Floating-point elements may also be the strings
/// "NaN", "Infinity" and "-Infinity", as <see cref="TensorJsonWriter"/> writes them; what that writer writes, this reads
/// back to the same bytes.
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

        // The structure is checked before anything is decoded, so a body that lies about its size costs no allocation.
        var nested = data.GetArrayLength() > 0 && data[0].ValueKind == JsonValueKind.Array;
        if (!nested && data.GetArrayLength() == count && FlatNumberReader.CanRead(type) && FlatNumberReader.TryRead(data, type, count, out bytes))
        {
            problem = null;
            return true;
        }

        if (nested && !MatchesNesting(data, shape, 0))
        {
            problem = $"input '{input}': the nesting of data does not match shape {TensorShape.Format(shape)}";
            return false;
        }

        if (!nested && data.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.Array))
        {
            problem = $"input '{input}': data mixes arrays and values; send it flat or nested to match the shape";
            return false;
        }

        if (!nested && data.GetArrayLength() != count)
        {
            problem = $"input '{input}': the shape needs {count} elements but data has {data.GetArrayLength()}";
            return false;
        }

        var strings = type == DataType.Bytes ? new byte[count][] : null;
        bytes = strings is null ? new byte[count * type.ElementSize()] : [];
        var index = 0;
        problem = Decode(data, type, bytes, strings, ref index);
        if (problem is not null)
        {
            problem = $"input '{input}': {problem}";
            return false;
        }

        if (strings is not null)
        {
            bytes = BytesElements.Encode(strings);
        }

        return true;
    }

    // Nested data must mirror the shape: one level per dimension, each array as long as its dimension.
    private static bool MatchesNesting(JsonElement array, long[] shape, int level)
    {
        if (level >= shape.Length || array.GetArrayLength() != shape[level])
        {
            return false;
        }

        var innermost = level == shape.Length - 1;
        foreach (var item in array.EnumerateArray())
        {
            var isArray = item.ValueKind == JsonValueKind.Array;
            if (innermost ? isArray : !(isArray && MatchesNesting(item, shape, level + 1)))
            {
                return false;
            }
        }

        return true;
    }

    // Decodes leaves in row-major order straight into the destination; nesting was already checked against the shape.
    private static string? Decode(JsonElement array, DataType type, byte[] bytes, byte[][]? strings, ref int index)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                var nestedProblem = Decode(item, type, bytes, strings, ref index);
                if (nestedProblem is not null)
                {
                    return nestedProblem;
                }

                continue;
            }

            var problem = strings is not null ? ReadString(item, strings, index) : Write(item, type, bytes.AsSpan(index * type.ElementSize()));
            if (problem is not null)
            {
                return $"element {index} {problem}";
            }

            index++;
        }

        return null;
    }

    private static string? ReadString(JsonElement element, byte[][] strings, int index)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"is {Describe(element)}, not a string (datatype BYTES)";
        }

        strings[index] = Encoding.UTF8.GetBytes(element.GetString()!);
        return null;
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
