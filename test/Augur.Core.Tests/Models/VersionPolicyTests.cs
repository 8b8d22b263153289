using Augur.Models;

namespace Augur.Core.Tests.Models;

public sealed class VersionPolicyTests
{
    private static readonly long[] Available = [2, 10, 1, 3];

    [Fact]
    public void Latest_TakesTheHighestNumbers_Numerically()
    {
        Assert.Equal([10L], new VersionPolicy.Latest(1).Select(Available));
        Assert.Equal([10L, 3L], new VersionPolicy.Latest(2).Select(Available));
        Assert.Equal([10L, 3L, 2L, 1L], new VersionPolicy.Latest(9).Select(Available));
        Assert.Equal([10L], VersionPolicy.Default.Select(Available));
    }

    [Fact]
    public void All_TakesEveryVersionHighestFirst()
    {
        Assert.Equal([10L, 3L, 2L, 1L], new VersionPolicy.All().Select(Available));
        Assert.Empty(new VersionPolicy.All().Select([]));
    }

    [Fact]
    public void Specific_TakesTheListedVersionsEvenWhenMissing()
    {
        Assert.Equal([7L, 2L], new VersionPolicy.Specific([2, 7]).Select(Available));
    }
}
