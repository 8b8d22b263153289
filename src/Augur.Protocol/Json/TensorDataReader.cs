using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Decodes the JSON <c>data</c> of a tensor (flat or nested arrays, row-major) into Augur's byte layout in one
/// <see cref="Utf8JsonReader"/> pass, checking each element's type and range and, for nested data, that the nesting
/// mirrors the shape. Floating-point elements may also be the strings "NaN", "Infinity" and "-Infinity", as
/// <see cref="TensorJsonWriter"/> writes them; what that writer writes, this reads back to the same bytes.
/// </summary>
/// <remarks>
/// A structural problem outranks an element's, as when the structure was checked first: an array among flat values,
/// a count that is not the shape's, or nesting that does not mirror the shape is reported even after a bad element.
/// The destination is allocated before the elements are read, so only when the bytes left could hold the shape's
/// elements (each at least a digit and a comma): a body that lies about its size gets no buffer larger than
/// four times its own length.
/// </remarks>
internal static class TensorDataReader
{
    /// <summary>Decodes an element of a parsed document (stored outputs); problems are worded as for input <paramref name="input"/>.</summary>
    /// <exception cref="InvalidOperationException">A BYTES element is a string whose escapes are not valid Unicode.</exception>
    public static bool TryRead(JsonElement data, string input, DataType type, long[] shape, long count, out byte[] bytes, out string? problem)
    {
        var raw = JsonMarshal.GetRawUtf8Value(data);
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        if (TryRead(ref reader, raw.Length, type, shape, count, out bytes, out var dataProblem))
        {
            problem = null;
            return true;
        }

        problem = dataProblem.RequestWide ? throw new InvalidOperationException(dataProblem.Message) : dataProblem.For(input);
        return false;
    }

    /// <summary>
    /// Decodes the value <paramref name="reader"/> is on, leaving the reader on its last token, however it ends.
    /// </summary>
    /// <param name="reader">A reader on the first token of the data.</param>
    /// <param name="available">The bytes of JSON from that token to the end of the reader's input.</param>
    /// <param name="type">The input's datatype.</param>
    /// <param name="shape">The input's shape.</param>
    /// <param name="count">The shape's element count.</param>
    /// <param name="bytes">The tensor's bytes, on success.</param>
    /// <param name="problem">The first problem, on failure.</param>
    public static bool TryRead(ref Utf8JsonReader reader, long available, DataType type, long[] shape, long count, out byte[] bytes, out DataProblem problem)
    {
        bytes = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problem = new DataProblem($"data must be a JSON array, not {JsonTokens.Describe(ref reader)}", false);
            reader.Skip();
            return false;
        }

        var plausible = 2 * count + 1 <= available;
        var walk = new DataWalk(type, shape, count, plausible);
        var peek = reader;
        peek.Read();
        var nested = peek.TokenType == JsonTokenType.StartArray;
        string? structure;
        if (nested)
        {
            walk.ReadNested(ref reader, 0);
            structure = walk.Mismatch ? $"the nesting of data does not match shape {TensorShape.Format(shape)}" : null;
        }
        else
        {
            walk.ReadFlat(ref reader);
            structure = walk.Mismatch ? "data mixes arrays and values; send it flat or nested to match the shape"
                : walk.Index != count ? $"the shape needs {count} elements but data has {walk.Index}"
                : null;
        }

        if (structure is not null)
        {
            problem = new DataProblem(structure, false);
            return false;
        }

        if (walk.ElementProblem is { } elementProblem)
        {
            problem = elementProblem;
            return false;
        }

        // Unreachable by construction (an implausible count is always a structural problem), but never a null buffer.
        if (!plausible)
        {
            problem = new DataProblem($"the shape needs {count} elements but data has {walk.Index}", false);
            return false;
        }

        bytes = walk.Strings is { } strings ? BytesElements.Encode(strings) : walk.Buffer!;
        problem = default;
        return true;
    }

    /// <summary>The state of one decode: where the next element goes, and the first problems met.</summary>
    private ref struct DataWalk
    {
        private readonly DataType type;
        private readonly long[] shape;
        private readonly long count;
        private readonly bool fast;

        public DataWalk(DataType type, long[] shape, long count, bool plausible)
        {
            this.type = type;
            this.shape = shape;
            this.count = count;
            fast = FlatNumberReader.CanRead(type);
            if (plausible)
            {
                Strings = type == DataType.Bytes ? new byte[count][] : null;
                Buffer = type == DataType.Bytes ? null : new byte[count * type.ElementSize()];
            }
        }

        public byte[]? Buffer { get; }

        public byte[][]? Strings { get; }

        /// <summary>Leaves read so far, in row-major order.</summary>
        public long Index { get; private set; }

        /// <summary>Flat data with an array among its values, or nested data that does not mirror the shape.</summary>
        public bool Mismatch { get; private set; }

        public DataProblem? ElementProblem { get; private set; }

        private readonly bool CanWrite => (Buffer is not null || Strings is not null) && ElementProblem is null && !Mismatch && Index < count;

        // The reader is on the data's '['; it ends on the matching ']'.
        public void ReadFlat(ref Utf8JsonReader reader)
        {
            reader.Read();
            while (true)
            {
                if (fast && CanWrite)
                {
                    Index = FlatNumberReader.ReadRun(ref reader, type, Buffer!, Index, count);
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return;
                }

                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    Mismatch = true;
                    reader.Skip();
                }
                else
                {
                    ReadLeaf(ref reader);
                }

                reader.Read();
            }
        }

        // The reader is on the '[' of nesting level `level`; it ends on the matching ']'.
        public void ReadNested(ref Utf8JsonReader reader, int level)
        {
            if (level >= shape.Length)
            {
                Mismatch = true;
                reader.Skip();
                return;
            }

            var innermost = level == shape.Length - 1;
            var length = 0L;
            reader.Read();
            while (true)
            {
                if (innermost && fast && CanWrite)
                {
                    var before = Index;
                    Index = FlatNumberReader.ReadRun(ref reader, type, Buffer!, Index, count);
                    length += Index - before;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                length++;
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    if (innermost)
                    {
                        Mismatch = true;
                        reader.Skip();
                    }
                    else
                    {
                        ReadNested(ref reader, level + 1);
                    }
                }
                else if (innermost)
                {
                    ReadLeaf(ref reader);
                }
                else
                {
                    Mismatch = true;
                    reader.Skip();
                }

                reader.Read();
            }

            if (length != shape[level])
            {
                Mismatch = true;
            }
        }

        // One value that is not an array (an object is a bad element too); the reader ends on its last token.
        private void ReadLeaf(ref Utf8JsonReader reader)
        {
            if (CanWrite)
            {
                if (Strings is not null)
                {
                    ReadString(ref reader);
                }
                else if (Write(ref reader, type, Buffer.AsSpan((int)(Index * type.ElementSize())), out var requestWide) is { } problem)
                {
                    ElementProblem = requestWide ? new DataProblem(problem, true) : new DataProblem($"element {Index} {problem}", false);
                }
            }

            reader.Skip();
            Index++;
        }

        private void ReadString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                ElementProblem = new DataProblem($"element {Index} is {JsonTokens.Describe(ref reader)}, not a string (datatype BYTES)", false);
                return;
            }

            if (!reader.ValueIsEscaped)
            {
                Strings![Index] = reader.ValueSpan.ToArray();
                return;
            }

            if (JsonTokens.TryGetString(ref reader, out var text, out var unicode))
            {
                Strings![Index] = Encoding.UTF8.GetBytes(text);
            }
            else
            {
                ElementProblem = new DataProblem(unicode!, true);
            }
        }
    }

    private static string? Write(ref Utf8JsonReader reader, DataType type, Span<byte> destination, out bool requestWide)
    {
        requestWide = false;
        switch (type)
        {
            case DataType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return $"is {JsonTokens.Describe(ref reader)}, not a boolean (datatype BOOL)";
                }

                destination[0] = reader.TokenType == JsonTokenType.True ? (byte)1 : (byte)0;
                return null;
            case DataType.Fp16:
            case DataType.Bf16:
            case DataType.Fp32:
            case DataType.Fp64:
                return WriteFloat(ref reader, type, destination, out requestWide);
            default:
                return WriteInteger(ref reader, type, destination);
        }
    }

    private static string? WriteFloat(ref Utf8JsonReader reader, DataType type, Span<byte> destination, out bool requestWide)
    {
        var parsed = TryGetDouble(ref reader, out var value, out var unicode);
        requestWide = unicode is not null;
        if (!parsed)
        {
            return unicode ?? $"is {JsonTokens.Describe(ref reader)}, not a number (datatype {type.Name()})";
        }

        var isNumber = reader.TokenType == JsonTokenType.Number;
        if (isNumber && !double.IsFinite(value))
        {
            return $"({Raw(ref reader)}) is out of range for {type.Name()}";
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
        return overflowed && double.IsFinite(value) ? $"({Raw(ref reader)}) is out of range for {type.Name()}" : null;
    }

    private static bool TryGetDouble(ref Utf8JsonReader reader, out double value, out string? unicode)
    {
        unicode = null;
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDouble(out value);
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        if (reader.ValueIsEscaped)
        {
            // Unescaped, as a document's string would be (and failing as it would on an escape that is not Unicode).
            if (!JsonTokens.TryGetString(ref reader, out var text, out unicode))
            {
                return false;
            }

            value = text switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => 0 };
        }
        else
        {
            var span = reader.ValueSpan;
            value = span.SequenceEqual("NaN"u8) ? double.NaN
                : span.SequenceEqual("Infinity"u8) ? double.PositiveInfinity
                : span.SequenceEqual("-Infinity"u8) ? double.NegativeInfinity
                : 0;
        }

        return double.IsNaN(value) || double.IsInfinity(value);
    }

    private static string? WriteInteger(ref Utf8JsonReader reader, DataType type, Span<byte> destination)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            return $"is {JsonTokens.Describe(ref reader)}, not an integer (datatype {type.Name()})";
        }

        if (type == DataType.UInt64)
        {
            if (!reader.TryGetUInt64(out var unsigned))
            {
                return $"({Raw(ref reader)}) is not an integer in the range of UINT64";
            }

            BinaryPrimitives.WriteUInt64LittleEndian(destination, unsigned);
            return null;
        }

        if (!reader.TryGetInt64(out var value))
        {
            return $"({Raw(ref reader)}) is not an integer in the range of {type.Name()}";
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

    private static string Raw(ref Utf8JsonReader reader) => Encoding.UTF8.GetString(reader.ValueSpan);

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

    /// <summary>A parsed value described for an error message, in the words of <see cref="JsonTokens.Describe"/>.</summary>
    internal static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string {JsonTokens.Truncate(element.GetRawText())}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => $"the number {JsonTokens.Truncate(element.GetRawText())}",
    };
}
