using System.Text;
using Augur.Tensors;

namespace Augur.Core.Tests.Tensors;

public sealed class BytesElementsTests
{
    [Fact]
    public void Encode_WritesLittleEndianLengthThenBytes()
    {
        var encoded = BytesElements.Encode(new[] { new byte[] { 0xAA, 0xBB }, [], [0x01] });

        Assert.Equal(new byte[] { 2, 0, 0, 0, 0xAA, 0xBB, 0, 0, 0, 0, 1, 0, 0, 0, 0x01 }, encoded);
    }

    [Fact]
    public void Encode_StringsAsUtf8()
    {
        var encoded = BytesElements.Encode(new[] { "é", "" });

        Assert.Equal(new byte[] { 2, 0, 0, 0, 0xC3, 0xA9, 0, 0, 0, 0 }, encoded);
    }

    [Fact]
    public void Encode_NoElements_IsEmpty()
    {
        Assert.Empty(BytesElements.Encode(Array.Empty<string>()));
        Assert.True(BytesElements.TryCount([], out var count));
        Assert.Equal(0, count);
        Assert.Empty(BytesElements.Decode(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Decode_RoundTripsEncode()
    {
        string[] values = ["hello", "", "wörld", new string('x', 1000), "\0"];
        var encoded = BytesElements.Encode(values);

        Assert.True(BytesElements.TryCount(encoded, out var count));
        Assert.Equal(values.Length, count);
        var decoded = BytesElements.Decode(encoded);
        Assert.Equal(values, decoded.Select(e => Encoding.UTF8.GetString(e.Span)));
    }

    [Fact]
    public void Decode_SlicesWithoutCopying()
    {
        var encoded = BytesElements.Encode(new[] { "ab" });
        var element = Assert.Single(BytesElements.Decode(encoded));

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(element, out var segment));
        Assert.Same(encoded, segment.Array);
        Assert.Equal(4, segment.Offset);
    }

    [Theory]
    [InlineData(new byte[] { 1 })] // 1 byte: not even a prefix
    [InlineData(new byte[] { 0, 0, 0 })] // 3-byte prefix
    [InlineData(new byte[] { 1, 0, 0, 0 })] // says 1 byte, has none
    [InlineData(new byte[] { 5, 0, 0, 0, 1, 2, 3 })] // says 5, has 3
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0 })] // one empty element, then a truncated prefix
    [InlineData(new byte[] { 1, 0, 0, 0, 9, 2, 0 })] // one good element, then a truncated prefix
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })] // a length that would be negative as an int
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2 })] // int.MaxValue length
    public void TryCount_FailsOnTruncatedOrOversizedPrefixes(byte[] data)
    {
        Assert.False(BytesElements.TryCount(data, out _));
        var ex = Assert.Throws<FormatException>(() => BytesElements.Decode(data));
        Assert.Contains("length prefix", ex.Message);
    }

    [Fact]
    public void TryCount_CountsEmptyElements()
    {
        Assert.True(BytesElements.TryCount(new byte[12], out var count));
        Assert.Equal(3, count);
    }
}
