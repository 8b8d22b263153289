using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Caching;

/// <summary>
/// One cached answer as one byte array, the same in process and in the distributed cache: a magic number and format,
/// the version's identity, the request's key material (<see cref="RequestKey"/>), then the outputs (name, datatype,
/// shape, data). The cached tensors are slices of the array, so an answer costs one allocation and one copy, made when
/// it is stored: nothing a caller does with the response it got from the model reaches the cache. Arrays read back from
/// a distributed cache are checked in full before use; another program (or another format) gets a miss, not a crash.
/// </summary>
internal static class CachePayload
{
    // "AUGC" then the format: a change to the layout bumps the format, and old entries become misses.
    private const uint Magic = 0x43475541;
    private const byte Format = 1;
    private const int HeaderBytes = 5;

    /// <summary>The payload for <paramref name="outputs"/> (the tensors to keep, in signature order).</summary>
    public static byte[] Build(ReadOnlySpan<byte> version, ReadOnlySpan<byte> material, IReadOnlyList<InferenceTensor> outputs)
    {
        var length = new KeyEncoder<LengthSink>(default, stackalloc byte[128]);
        Write(ref length, version, material, outputs);
        length.Flush();
        var payload = new byte[checked((int)length.Sink.Length)];
        var copy = new KeyEncoder<CopySink>(new CopySink(payload), stackalloc byte[128]);
        Write(ref copy, version, material, outputs);
        copy.Flush();
        return payload;
    }

    private static void Write<TSink>(ref KeyEncoder<TSink> encoder, ReadOnlySpan<byte> version, ReadOnlySpan<byte> material, IReadOnlyList<InferenceTensor> outputs)
        where TSink : IKeySink, allows ref struct
    {
        encoder.Int32(unchecked((int)Magic));
        encoder.Byte(Format);
        encoder.Int32(version.Length);
        encoder.Bytes(version);
        encoder.Int32(material.Length);
        encoder.Bytes(material);
        encoder.Int32(outputs.Count);
        foreach (var output in outputs)
        {
            encoder.Name(output.Name);
            encoder.Byte((byte)output.DataType);
            var shape = output.Shape;
            encoder.Int32(shape.Length);
            foreach (var dimension in shape)
            {
                encoder.Int64(dimension);
            }

            var data = output.Data.Span;
            encoder.Int64(data.Length);
            encoder.Bytes(data);
        }
    }

    /// <summary>
    /// Reads a payload of <paramref name="version"/> whose outputs are <paramref name="expected"/> (names in order, with
    /// their signature's datatypes), or says why it is not one.
    /// </summary>
    public static bool TryRead(byte[] payload, ReadOnlySpan<byte> version, IReadOnlyList<TensorSpec> expected, out PayloadContents contents, out string? problem)
    {
        contents = default;
        var reader = new Reader(payload);
        if (!reader.TryInt32(out var magic) || unchecked((uint)magic) != Magic || !reader.TryByte(out var format) || format != Format)
        {
            problem = "not an Augur response cache entry of this format";
            return false;
        }

        if (!reader.TrySized(out var versionStart, out var versionLength) || !payload.AsSpan(versionStart, versionLength).SequenceEqual(version))
        {
            problem = "an entry of another model version";
            return false;
        }

        if (!reader.TrySized(out var materialStart, out var materialLength) || !reader.TryInt32(out var count) || count != expected.Count)
        {
            problem = "the entry's request or output count is malformed";
            return false;
        }

        var outputs = new InferenceTensor[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryTensor(payload, out var name, out var dataType, out var shape, out var data))
            {
                problem = $"output {i} is malformed";
                return false;
            }

            if (name != expected[i].Name || dataType != expected[i].DataType)
            {
                problem = $"output {i} is '{name}' of {dataType}, not '{expected[i].Name}' of {expected[i].DataType}";
                return false;
            }

            if (!InferenceTensor.TryFromRaw(name, dataType, shape, data, out outputs[i], out var tensorProblem))
            {
                problem = $"output '{name}': {tensorProblem}";
                return false;
            }
        }

        if (!reader.AtEnd)
        {
            problem = "the entry has bytes after its last output";
            return false;
        }

        contents = new PayloadContents(new ArraySegment<byte>(payload, materialStart, materialLength), new ReadOnlyCollection<InferenceTensor>(outputs));
        problem = null;
        return true;
    }

    /// <summary>Bounds-checked reads over a payload that may come from anywhere.</summary>
    private ref struct Reader(ReadOnlySpan<byte> payload)
    {
        private readonly ReadOnlySpan<byte> _payload = payload;
        private int _position;

        public readonly bool AtEnd => _position == _payload.Length;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_payload.Length - _position < 1)
            {
                return false;
            }

            value = _payload[_position++];
            return true;
        }

        public bool TryInt32(out int value)
        {
            value = 0;
            if (_payload.Length - _position < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt32LittleEndian(_payload[_position..]);
            _position += 4;
            return true;
        }

        public bool TryInt64(out long value)
        {
            value = 0;
            if (_payload.Length - _position < 8)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt64LittleEndian(_payload[_position..]);
            _position += 8;
            return true;
        }

        /// <summary>An Int32 length and that many bytes; their place in the payload.</summary>
        public bool TrySized(out int start, out int length)
        {
            start = 0;
            if (!TryInt32(out length) || length < 0 || length > _payload.Length - _position)
            {
                return false;
            }

            start = _position;
            _position += length;
            return true;
        }

        public bool TryTensor(byte[] array, out string name, out DataType dataType, out long[] shape, out ReadOnlyMemory<byte> data)
        {
            (name, dataType, shape, data) = (string.Empty, DataType.Invalid, [], default);
            if (!TryInt32(out var chars) || chars < 0 || chars > (_payload.Length - _position) / 2)
            {
                return false;
            }

            name = new string(MemoryMarshal.Cast<byte, char>(_payload.Slice(_position, chars * 2)));
            _position += chars * 2;
            if (!TryByte(out var type) || !TryInt32(out var rank) || rank < 0 || rank > (_payload.Length - _position) / 8)
            {
                return false;
            }

            dataType = (DataType)type;
            shape = new long[rank];
            for (var d = 0; d < rank; d++)
            {
                TryInt64(out shape[d]);
            }

            if (!TryInt64(out var length) || length < 0 || length > _payload.Length - _position)
            {
                return false;
            }

            data = new ReadOnlyMemory<byte>(array, _position, (int)length);
            _position += (int)length;
            return true;
        }
    }
}

/// <summary>What a payload holds: the key material it answers and the outputs (read-only slices of the payload).</summary>
internal readonly record struct PayloadContents(ArraySegment<byte> Material, IReadOnlyList<InferenceTensor> Outputs);
