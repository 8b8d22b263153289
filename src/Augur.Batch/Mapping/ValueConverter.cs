using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Augur.Batch.Input;
using Augur.Tensors;

namespace Augur.Batch.Mapping;

/// <summary>
/// Writes a cell's value as tensor elements: numbers, numeric strings, booleans, typed arrays (list columns), JSON
/// numbers and arrays, and strings holding a JSON array. Every failure is a reason naming the column.
/// </summary>
internal static class ValueConverter
{
    /// <summary>Writes <paramref name="count"/> elements of <paramref name="type"/> from one cell into <paramref name="destination"/>.</summary>
    public static bool TryWrite(object? value, string column, DataType type, int count, Span<byte> destination, out string? problem)
    {
        problem = null;
        switch (value)
        {
            case MissingValue:
                problem = $"the row has no column '{column}'";
                return false;
            case null or DBNull:
                problem = $"column '{column}' is null";
                return false;
            case float[] floats when type == DataType.Fp32 && floats.Length == count:
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).CopyTo(destination);
                return true;
            case Array array:
                if (array.Length != count)
                {
                    problem = $"column '{column}' has {array.Length} values but {count} are needed";
                    return false;
                }

                for (var i = 0; i < count; i++)
                {
                    if (!TryNumber(array.GetValue(i), out var number) || !TryWriteNumber(number, type, destination, i))
                    {
                        problem = $"column '{column}' value {i} ({Show(array.GetValue(i))}) is not a {type.Name()} number";
                        return false;
                    }
                }

                return true;
            case JsonElement { ValueKind: JsonValueKind.Array } json:
                return TryWriteJsonArray(json, column, type, count, destination, out problem);
            case string text when count > 1 || text.TrimStart().StartsWith('['):
                try
                {
                    using var document = JsonDocument.Parse(text);
                    if (document.RootElement.ValueKind == JsonValueKind.Array)
                    {
                        return TryWriteJsonArray(document.RootElement, column, type, count, destination, out problem);
                    }
                }
                catch (JsonException)
                {
                }

                problem = $"column '{column}' ({Show(text)}) is not a JSON array of {count} numbers";
                return false;
        }

        if (count != 1)
        {
            problem = $"column '{column}' holds one value ({Show(value)}) but {count} are needed";
            return false;
        }

        if (!TryNumber(value, out var scalar))
        {
            problem = $"column '{column}' ({Show(value)}) is not a number";
            return false;
        }

        if (!TryWriteNumber(scalar, type, destination, 0))
        {
            problem = $"column '{column}' ({Show(value)}) does not fit {type.Name()}";
            return false;
        }

        return true;
    }

    private static bool TryWriteJsonArray(JsonElement array, string column, DataType type, int count, Span<byte> destination, out string? problem)
    {
        problem = null;
        var length = array.GetArrayLength();
        if (length != count)
        {
            problem = $"column '{column}' has {length} values but {count} are needed";
            return false;
        }

        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (!TryNumber(element, out var number) || !TryWriteNumber(number, type, destination, i))
            {
                problem = $"column '{column}' value {i} ({Show(element)}) is not a {type.Name()} number";
                return false;
            }

            i++;
        }

        return true;
    }

    /// <summary>Reads a scalar as a double; false for text that is not a number, nulls and arrays.</summary>
    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d: number = d; return true;
            case float f: number = f; return true;
            case long l: number = l; return true;
            case int i: number = i; return true;
            case short s: number = s; return true;
            case byte b: number = b; return true;
            case sbyte sb: number = sb; return true;
            case decimal m: number = (double)m; return true;
            case bool flag: number = flag ? 1 : 0; return true;
            case string text:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && text.Length > 0;
            case JsonElement { ValueKind: JsonValueKind.Number } json: number = json.GetDouble(); return true;
            case JsonElement { ValueKind: JsonValueKind.True }: number = 1; return true;
            case JsonElement { ValueKind: JsonValueKind.False }: number = 0; return true;
            case JsonElement { ValueKind: JsonValueKind.String } json:
                return TryNumber(json.GetString(), out number);
            default:
                number = 0;
                return false;
        }
    }

    private static bool TryWriteNumber(double value, DataType type, Span<byte> destination, int index)
    {
        switch (type)
        {
            case DataType.Fp32:
                BinaryPrimitives.WriteSingleLittleEndian(destination[(index * 4)..], (float)value);
                return true;
            case DataType.Fp64:
                BinaryPrimitives.WriteDoubleLittleEndian(destination[(index * 8)..], value);
                return true;
            case DataType.Fp16:
                BinaryPrimitives.WriteHalfLittleEndian(destination[(index * 2)..], (Half)value);
                return true;
            case DataType.Int64 when double.IsInteger(value) && value is >= long.MinValue and < 9.2233720368547758E+18:
                BinaryPrimitives.WriteInt64LittleEndian(destination[(index * 8)..], (long)value);
                return true;
            case DataType.Int32 when double.IsInteger(value) && value is >= int.MinValue and <= int.MaxValue:
                BinaryPrimitives.WriteInt32LittleEndian(destination[(index * 4)..], (int)value);
                return true;
            case DataType.Int16 when double.IsInteger(value) && value is >= short.MinValue and <= short.MaxValue:
                BinaryPrimitives.WriteInt16LittleEndian(destination[(index * 2)..], (short)value);
                return true;
            case DataType.Int8 when double.IsInteger(value) && value is >= sbyte.MinValue and <= sbyte.MaxValue:
                destination[index] = (byte)(sbyte)value;
                return true;
            case DataType.UInt8 when double.IsInteger(value) && value is >= 0 and <= byte.MaxValue:
                destination[index] = (byte)value;
                return true;
            case DataType.Bool when value is 0 or 1:
                destination[index] = (byte)value;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A short rendering of a bad value for an error message.</summary>
    public static string Show(object? value)
    {
        var text = value switch
        {
            null or DBNull => "null",
            string s => $"'{s}'",
            JsonElement json => json.GetRawText(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    /// <summary>A cell as text: the key column's value and chosen input columns.</summary>
    public static string? AsText(object? value) => value switch
    {
        null or DBNull or MissingValue => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString(),
        JsonElement json => json.GetRawText(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
