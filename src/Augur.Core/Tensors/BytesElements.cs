using System.Buffers.Binary;
using System.Text;

namespace Augur.Tensors;

/// <summary>
/// The serialized form of BYTES tensors shared by the binary tensor extension, raw gRPC contents and
/// Augur's in-memory tensors: each element is a 4-byte little-endian length followed by its bytes.
/// </summary>
public static class BytesElements
{
    /// <summary>Serializes elements.</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> elements)
    {
        var size = 0L;
        foreach (var element in elements)
        {
            size += 4 + element.Length;
        }

        var buffer = new byte[checked((int)size)];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), element.Length);
            element.CopyTo(buffer, offset + 4);
            offset += 4 + element.Length;
        }

        return buffer;
    }

    /// <summary>Serializes strings as UTF-8.</summary>
    public static byte[] Encode(IReadOnlyList<string> elements) =>
        Encode(elements.Select(e => Encoding.UTF8.GetBytes(e)).ToArray());

    /// <summary>
    /// Counts the elements of serialized data, failing when a length prefix runs past the end.
    /// </summary>
    public static bool TryCount(ReadOnlySpan<byte> data, out long count)
    {
        count = 0;
        while (!data.IsEmpty)
        {
            if (data.Length < 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length > (uint)(data.Length - 4))
            {
                return false;
            }

            data = data[(4 + (int)length)..];
            count++;
        }

        return true;
    }

    /// <summary>Splits serialized data into its elements; the data must be well formed (see <see cref="TryCount"/>).</summary>
    public static ReadOnlyMemory<byte>[] Decode(ReadOnlyMemory<byte> data)
    {
        if (!TryCount(data.Span, out var count))
        {
            throw new FormatException("BYTES tensor data is malformed: a length prefix runs past the end.");
        }

        var elements = new ReadOnlyMemory<byte>[count];
        var offset = 0;
        for (var i = 0; i < elements.Length; i++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Span[offset..]);
            elements[i] = data.Slice(offset + 4, length);
            offset += 4 + length;
        }

        return elements;
    }
}
