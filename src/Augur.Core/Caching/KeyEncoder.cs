using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Augur.Caching;

/// <summary>
/// Writes little-endian fields to a sink through a small buffer, so a hash sees a few large appends per tensor rather
/// than one per field (which is what a hit costs). The bytes the sink sees do not depend on where the buffer flushes.
/// </summary>
internal ref struct KeyEncoder<TSink>
    where TSink : IKeySink, allows ref struct
{
    private readonly Span<byte> _buffer;
    private int _used;
    private TSink _sink;

    public KeyEncoder(TSink sink, Span<byte> buffer)
    {
        _sink = sink;
        _buffer = buffer;
    }

    /// <summary>The sink, after <see cref="Flush"/>.</summary>
    public readonly TSink Sink => _sink;

    public void Byte(byte value)
    {
        Reserve(1);
        _buffer[_used++] = value;
    }

    public void Int32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[_used..], value);
        _used += 4;
    }

    public void Int64(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer[_used..], value);
        _used += 8;
    }

    /// <summary>A length (in chars) and the UTF-16 code units: no transcoding, and names compare exactly as strings do.</summary>
    public void Name(string name)
    {
        Int32(name.Length);
        Bytes(MemoryMarshal.AsBytes(name.AsSpan()));
    }

    /// <summary>Raw bytes, without a length (write one first when the reader needs it).</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _buffer.Length - _used)
        {
            bytes.CopyTo(_buffer[_used..]);
            _used += bytes.Length;
            return;
        }

        Flush();
        _sink.Append(bytes);
    }

    public void Flush()
    {
        if (_used > 0)
        {
            _sink.Append(_buffer[.._used]);
            _used = 0;
        }
    }

    private void Reserve(int bytes)
    {
        if (_buffer.Length - _used < bytes)
        {
            Flush();
        }
    }
}
