using System.Text;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class Murmur3Tests
{
    [Theory]
    [InlineData("", 0u, 0u)]
    [InlineData("hello", 0u, 0x248bfa47u)]
    [InlineData("", 1u, 0x514e28b7u)]
    [InlineData("", 0xffffffffu, 0x81f16f39u)]
    [InlineData("aaaa", 0x9747b28cu, 0x5a97808au)]
    [InlineData("Hello, world!", 0x9747b28cu, 0x24884cbau)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x9747b28cu, 0x2fa826cdu)]
    public void Hash_GivesThePublishedValues(string text, uint seed, uint expected) =>
        Assert.Equal(expected, Murmur3.Hash(Encoding.UTF8.GetBytes(text), seed));

    [Fact]
    public void Hash_ReadsEveryTailLength()
    {
        // 0, 1, 2 and 3 bytes after the last 4-byte block each change the hash.
        var hashes = Enumerable.Range(4, 4).Select(n => Murmur3.Hash(Encoding.UTF8.GetBytes(new string('a', n)), 0)).ToArray();

        Assert.Equal(4, hashes.Distinct().Count());
        Assert.Equal(0x2362f9deu, Murmur3.Hash(new byte[4], 0));
    }
}
