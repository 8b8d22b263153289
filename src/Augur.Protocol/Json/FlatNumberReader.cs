using System.Buffers.Binary;
using System.Text.Json;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// The fast path of <see cref="TensorDataReader"/> for the common case: a run of plain numbers for an FP32, FP64,
/// INT32 or INT64 input, decoded in one loop per datatype with no per-element dispatch. It accepts exactly what the
/// general path accepts and decodes the same values; at the first token it does not take (the end of the row,
/// a string, a value out of range) it stops with the reader on that token, and the general path carries on from there
/// and words any problem.
/// </summary>
internal static class FlatNumberReader
{
    public static bool CanRead(DataType type) => type is DataType.Fp32 or DataType.Fp64 or DataType.Int32 or DataType.Int64;

    /// <summary>
    /// Decodes numbers from the reader's current token on into <paramref name="destination"/> from element
    /// <paramref name="index"/>, stopping before element <paramref name="count"/>; returns the next element's index.
    /// </summary>
    public static long ReadRun(ref Utf8JsonReader reader, DataType type, byte[] destination, long index, long count)
    {
        var span = destination.AsSpan();
        switch (type)
        {
            case DataType.Fp32:
                // Parsed as double then rounded, as the general path does, so both give the same float.
                while (index < count && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d)
                    && double.IsFinite(d) && !float.IsInfinity((float)d))
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(int)(index * 4)..], (float)d);
                    index++;
                    reader.Read();
                }

                return index;
            case DataType.Fp64:
                while (index < count && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value))
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(int)(index * 8)..], value);
                    index++;
                    reader.Read();
                }

                return index;
            case DataType.Int32:
                while (index < count && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i))
                {
                    BinaryPrimitives.WriteInt32LittleEndian(span[(int)(index * 4)..], i);
                    index++;
                    reader.Read();
                }

                return index;
            default:
                while (index < count && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var l))
                {
                    BinaryPrimitives.WriteInt64LittleEndian(span[(int)(index * 8)..], l);
                    index++;
                    reader.Read();
                }

                return index;
        }
    }
}
