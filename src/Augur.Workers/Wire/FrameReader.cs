using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Augur.Workers.Wire;

/// <summary>
/// Reads batch socket frames from one connection. A frame that fits the connection's buffer (rented once, 64 KiB) is read
/// there, usually in one receive with its header; a larger one goes into a buffer rented for it, receiving no byte past its
/// end, which returns to the pool at the next read. The frame returned is valid until the next read.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BatchFrame.BufferSize);
    private int _start;
    private int _end;
    private byte[]? _large;
    private int _largeLength;
    private int _largeFilled;

    /// <summary>
    /// The next frame's bytes, with blocking receives; null when the peer closed the connection between frames. Throws
    /// <see cref="InvalidDataException"/> for a length over <see cref="BatchFrame.MaxLength"/> and <see cref="IOException"/>
    /// when the connection closes inside a frame.
    /// </summary>
    public ReadOnlyMemory<byte>? Read(Socket socket)
    {
        ReleaseLarge();
        ReadOnlyMemory<byte> frame;
        Memory<byte> room;
        while (!TryTake(out frame, out room))
        {
            if (!Received(socket.Receive(room.Span)))
            {
                return null;
            }
        }

        return frame;
    }

    /// <summary>As <see cref="Read"/>, with asynchronous receives that end when <paramref name="cancellationToken"/> fires.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(Socket socket, CancellationToken cancellationToken)
    {
        ReleaseLarge();
        ReadOnlyMemory<byte> frame;
        Memory<byte> room;
        while (!TryTake(out frame, out room))
        {
            if (!Received(await socket.ReceiveAsync(room, SocketFlags.None, cancellationToken).ConfigureAwait(false)))
            {
                return null;
            }
        }

        return frame;
    }

    // The next frame when its bytes are all here; otherwise where the next receive goes.
    private bool TryTake(out ReadOnlyMemory<byte> frame, out Memory<byte> room)
    {
        frame = default;
        room = default;
        if (_large is not null)
        {
            if (_largeFilled < _largeLength)
            {
                room = _large.AsMemory(_largeFilled, _largeLength - _largeFilled);
                return false;
            }

            frame = _large.AsMemory(0, _largeLength);
            return true;
        }

        var buffered = _end - _start;
        if (buffered < BatchFrame.HeaderSize)
        {
            room = Room();
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
        if (length > BatchFrame.MaxLength)
        {
            throw new InvalidDataException(BatchFrame.Oversized(length));
        }

        var total = BatchFrame.HeaderSize + (int)length;
        if (total > _buffer.Length)
        {
            // Too large for the connection's buffer: a buffer of its own, with the bytes already here moved into it.
            _large = ArrayPool<byte>.Shared.Rent((int)length);
            _largeLength = (int)length;
            _largeFilled = buffered - BatchFrame.HeaderSize;
            _buffer.AsSpan(_start + BatchFrame.HeaderSize, _largeFilled).CopyTo(_large);
            _start = _end = 0;
            return TryTake(out frame, out room);
        }

        if (buffered < total)
        {
            room = Room();
            return false;
        }

        frame = _buffer.AsMemory(_start + BatchFrame.HeaderSize, (int)length);
        _start += total;
        if (_start == _end)
        {
            // Nothing of a next frame is here: the next receive starts at the front (after the caller is done with this one).
            _start = _end = 0;
        }

        return true;
    }

    // The free end of the buffer, after moving what is buffered (less than one frame) to its front.
    private Memory<byte> Room()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    // False at a clean end of the connection (between frames).
    private bool Received(int count)
    {
        if (count == 0)
        {
            return _large is null && _end == _start
                ? false
                : throw new IOException("the connection closed in the middle of a frame");
        }

        if (_large is not null)
        {
            _largeFilled += count;
        }
        else
        {
            _end += count;
        }

        return true;
    }

    private void ReleaseLarge()
    {
        if (_large is not null && _largeFilled == _largeLength)
        {
            ArrayPool<byte>.Shared.Return(_large);
            _large = null;
        }
    }

    public void Dispose()
    {
        if (_large is not null)
        {
            ArrayPool<byte>.Shared.Return(_large);
            _large = null;
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
