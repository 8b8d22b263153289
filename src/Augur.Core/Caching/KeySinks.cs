using System.IO.Hashing;

namespace Augur.Caching;

/// <summary>Where <see cref="KeyEncoder{TSink}"/> sends the bytes that identify a request: a hash, a comparison, a copy.</summary>
internal interface IKeySink
{
    void Append(ReadOnlySpan<byte> bytes);
}

/// <summary>Feeds the bytes to a streaming hash; the result does not depend on how they are split.</summary>
internal readonly struct HashSink(XxHash128 hash) : IKeySink
{
    public void Append(ReadOnlySpan<byte> bytes) => hash.Append(bytes);
}

/// <summary>Counts the bytes, to size a buffer before <see cref="CopySink"/> fills it.</summary>
internal struct LengthSink : IKeySink
{
    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes) => Length += bytes.Length;
}

/// <summary>Checks the bytes against an expected sequence without building a copy of them.</summary>
internal ref struct CompareSink : IKeySink
{
    private ReadOnlySpan<byte> _rest;
    private bool _differs;

    public CompareSink(ReadOnlySpan<byte> expected) => _rest = expected;

    /// <summary>True when every byte appended so far matched and the expected sequence is used up.</summary>
    public readonly bool MatchedAll => !_differs && _rest.IsEmpty;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_differs || bytes.Length > _rest.Length || !bytes.SequenceEqual(_rest[..bytes.Length]))
        {
            _differs = true;
            return;
        }

        _rest = _rest[bytes.Length..];
    }
}

/// <summary>Copies the bytes into a buffer sized with <see cref="LengthSink"/>.</summary>
internal ref struct CopySink : IKeySink
{
    private readonly Span<byte> _target;

    public CopySink(Span<byte> target) => _target = target;

    public int Written { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_target[Written..]);
        Written += bytes.Length;
    }
}
