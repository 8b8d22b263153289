using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Augur.Workers.Wire;

/// <summary>
/// Writes batch socket frames for one connection: the length and the message serialised straight into a pooled buffer (the
/// connection's 64 KiB one, or one rented for a larger frame and returned at the next write), ready for one send.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BatchFrame.BufferSize);
    private byte[]? _large;

    /// <summary>
    /// The frame of <paramref name="message"/>, whose <see cref="IMessage.CalculateSize"/> is <paramref name="length"/> (at
    /// most <see cref="BatchFrame.MaxLength"/>); valid until the next write.
    /// </summary>
    public ReadOnlyMemory<byte> Write(IMessage message, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, BatchFrame.MaxLength);
        ReleaseLarge();
        var total = BatchFrame.HeaderSize + length;
        var buffer = total <= _buffer.Length ? _buffer : _large = ArrayPool<byte>.Shared.Rent(total);
        BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        message.WriteTo(buffer.AsSpan(BatchFrame.HeaderSize, length));
        return buffer.AsMemory(0, total);
    }

    private void ReleaseLarge()
    {
        if (_large is not null)
        {
            ArrayPool<byte>.Shared.Return(_large);
            _large = null;
        }
    }

    public void Dispose()
    {
        ReleaseLarge();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
