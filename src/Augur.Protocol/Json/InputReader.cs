using System.Text.Json;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Decodes one element of a request's <c>inputs</c> (name, shape, datatype and either JSON data or binary data) in
/// the request's one pass, its members in any order. When <c>data</c> comes after <c>datatype</c> and <c>shape</c>,
/// as clients write it, it is decoded where it stands. When it comes before them, only its position in the body is
/// kept: the pass skips it (checking its syntax) and it is decoded from there once the object ends. Problems are
/// reported in a fixed order whatever the member order: name, datatype, shape, parameters, then data.
/// </summary>
internal static class InputReader
{
    private static readonly string[] ParameterNames = [ProtocolParameters.BinaryDataSize];

    /// <summary>Reads the object <paramref name="reader"/> is on, leaving the reader on its closing brace.</summary>
    /// <param name="reader">A reader on the input's <c>{</c>.</param>
    /// <param name="json">The whole JSON the reader reads, for data decoded after the object ends.</param>
    /// <param name="binary">The binary data not yet claimed by earlier inputs.</param>
    /// <param name="tensor">The input, on success.</param>
    /// <param name="problem">The message, on failure.</param>
    public static bool TryRead(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref ReadOnlyMemory<byte> binary, out InferenceTensor tensor, out string? problem)
    {
        var input = new InputMembers();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                input.ReadData(ref reader, json);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                input.ReadName(ref reader);
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                input.ReadDataType(ref reader);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                input.ReadShape(ref reader);
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                input.Parameters = JsonParameterSource.Read(ref reader, ParameterNames);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return input.TryFinish(json, ref binary, out tensor, out problem);
    }

    /// <summary>What one input's members said, kept until its closing brace.</summary>
    private sealed class InputMembers
    {
        private string? name;
        private string? nameProblem = "each input needs a non-empty string 'name'";
        private DataType dataType = DataType.Invalid;
        private string? unknownDataType;
        private string? dataTypeUnicode;
        private long[]? shape;
        private long count;
        private string? shapeProblem;
        private bool shapeIsArray;
        private int dataStart = -1;
        private int dataEnd;
        private JsonReaderOptions readerOptions;
        private byte[]? decoded;
        private DataProblem? decodeProblem;

        // The datatype and shape the data was decoded for: a later "datatype" or "shape" (the last one wins) makes it stale.
        private int layout;
        private int decodedLayout = -1;

        public JsonParameterSource? Parameters { get; set; }

        public void ReadName(ref Utf8JsonReader reader)
        {
            name = null;
            nameProblem = "each input needs a non-empty string 'name'";
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return;
            }

            if (!JsonTokens.TryGetString(ref reader, out var text, out var unicode))
            {
                nameProblem = unicode;
            }
            else if (text.Length > 0)
            {
                (name, nameProblem) = (text, null);
            }
        }

        public void ReadDataType(ref Utf8JsonReader reader)
        {
            layout++;
            (dataType, unknownDataType, dataTypeUnicode) = (DataType.Invalid, null, null);
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return;
            }

            // Datatype names are short ASCII: an unescaped one is matched without making a string.
            Span<char> chars = stackalloc char[8];
            if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= chars.Length)
            {
                var span = reader.ValueSpan;
                for (var i = 0; i < span.Length; i++)
                {
                    chars[i] = (char)span[i];
                }

                if (span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0 && DataTypes.TryParse(chars[..span.Length], out dataType))
                {
                    return;
                }
            }

            if (!JsonTokens.TryGetString(ref reader, out var text, out dataTypeUnicode))
            {
                return;
            }

            if (!DataTypes.TryParse(text, out dataType))
            {
                unknownDataType = text;
            }
        }

        public void ReadShape(ref Utf8JsonReader reader)
        {
            layout++;
            (shape, shapeProblem, shapeIsArray) = (null, null, reader.TokenType == JsonTokenType.StartArray);
            if (!shapeIsArray)
            {
                reader.Skip();
                return;
            }

            var dims = new long[4];
            var rank = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (shapeProblem is null)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim))
                    {
                        shapeProblem = $"shape dimension {rank} is {JsonTokens.Describe(ref reader)}, not an integer";
                    }
                    else
                    {
                        if (rank == dims.Length)
                        {
                            Array.Resize(ref dims, rank * 2);
                        }

                        dims[rank] = dim;
                    }
                }

                reader.Skip();
                rank++;
            }

            if (shapeProblem is not null)
            {
                return;
            }

            shape = rank == dims.Length ? dims : dims[..rank];
            if (!TensorShape.TryGetElementCount(shape, out count, out var problem))
            {
                (shape, shapeProblem) = (null, problem);
            }
        }

        public void ReadData(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            dataStart = checked((int)reader.TokenStartIndex);
            readerOptions = reader.CurrentState.Options;
            (decoded, decodeProblem, decodedLayout) = (null, null, -1);
            if (dataType == DataType.Invalid || shape is null)
            {
                // Not decodable yet: keep where it is and decode it when the object ends.
                reader.Skip();
                dataEnd = checked((int)reader.BytesConsumed);
                return;
            }

            Decode(ref reader, json.Length - dataStart);
            dataEnd = checked((int)reader.BytesConsumed);
        }

        public bool TryFinish(ReadOnlySpan<byte> json, ref ReadOnlyMemory<byte> binary, out InferenceTensor tensor, out string? problem)
        {
            tensor = null!;
            if (nameProblem is not null)
            {
                return Fail(nameProblem, out problem);
            }

            if (dataTypeUnicode is not null)
            {
                return Fail(dataTypeUnicode, out problem);
            }

            if (unknownDataType is not null)
            {
                return Fail($"input '{name}' has unknown datatype '{unknownDataType}'; expected one of {string.Join(", ", DataTypes.All.Select(t => t.Name()))}", out problem);
            }

            if (dataType == DataType.Invalid)
            {
                return Fail($"input '{name}' needs a string 'datatype'", out problem);
            }

            if (!shapeIsArray)
            {
                return Fail($"input '{name}' needs a 'shape' array", out problem);
            }

            if (shapeProblem is not null)
            {
                return Fail($"input '{name}': {shapeProblem}", out problem);
            }

            long? binarySize = null;
            if (Parameters is not null && !ProtocolParameters.TryGetSize(Parameters, ProtocolParameters.BinaryDataSize, $"input '{name}'", out binarySize, out var error))
            {
                return Fail(error!.Message, out problem);
            }

            var hasData = dataStart >= 0;
            if (binarySize is { } size)
            {
                return hasData
                    ? Fail($"input '{name}' has both 'data' and binary_data_size; send one or the other", out problem)
                    : TryTakeBinary(size, ref binary, out tensor, out problem);
            }

            if (!hasData)
            {
                return Fail($"input '{name}' has neither 'data' nor a binary_data_size parameter", out problem);
            }

            if (decodedLayout != layout)
            {
                var data = json[dataStart..dataEnd];
                var reader = new Utf8JsonReader(data, readerOptions);
                reader.Read();
                Decode(ref reader, data.Length);
            }

            if (decodeProblem is { } dataProblem)
            {
                return Fail(dataProblem.For(name!), out problem);
            }

            tensor = InferenceTensor.FromRaw(name!, dataType, shape!, decoded!);
            problem = null;
            return true;
        }

        private void Decode(ref Utf8JsonReader reader, long available)
        {
            decodedLayout = layout;
            var ok = TensorDataReader.TryRead(ref reader, available, dataType, shape!, count, out var bytes, out var dataProblem);
            decoded = ok ? bytes : null;
            decodeProblem = ok ? null : dataProblem;
        }

        private bool TryTakeBinary(long size, ref ReadOnlyMemory<byte> binary, out InferenceTensor tensor, out string? problem)
        {
            tensor = null!;
            if (size > binary.Length)
            {
                return Fail($"input '{name}': binary_data_size {size} exceeds the {binary.Length} bytes of binary data left in the request body", out problem);
            }

            if (!InferenceTensor.TryFromRaw(name!, dataType, shape!, binary[..(int)size], out tensor, out var why))
            {
                return Fail($"input '{name}': binary_data_size {size} disagrees with the shape: {why}", out problem);
            }

            binary = binary[(int)size..];
            problem = null;
            return true;
        }

        private static bool Fail(string message, out string? problem)
        {
            problem = message;
            return false;
        }
    }
}
