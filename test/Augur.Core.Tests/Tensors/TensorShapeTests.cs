using Augur.Tensors;

namespace Augur.Core.Tests.Tensors;

public sealed class TensorShapeTests
{
    [Theory]
    [InlineData(new long[0], 1)]
    [InlineData(new long[] { 0 }, 0)]
    [InlineData(new long[] { 3 }, 3)]
    [InlineData(new long[] { 2, 3, 4 }, 24)]
    [InlineData(new long[] { 2, 0, 4 }, 0)]
    [InlineData(new long[] { int.MaxValue }, int.MaxValue)]
    [InlineData(new long[] { 1, int.MaxValue, 1 }, int.MaxValue)]
    [InlineData(new long[] { 0, long.MaxValue }, 0)]
    public void TryGetElementCount_MultipliesDimensions(long[] shape, long expected)
    {
        Assert.True(TensorShape.TryGetElementCount(shape, out var count, out var problem));
        Assert.Equal(expected, count);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData(new long[] { int.MaxValue, 2 })]
    [InlineData(new long[] { 65536, 32768 })] // exactly 2^31
    [InlineData(new long[] { 46341, 46341 })]
    [InlineData(new long[] { long.MaxValue })]
    [InlineData(new long[] { 1L << 32, 1L << 32 })] // product overflows a long
    [InlineData(new long[] { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 })]
    public void TryGetElementCount_RejectsMoreThanMaxElements(long[] shape)
    {
        Assert.False(TensorShape.TryGetElementCount(shape, out var count, out var problem));
        Assert.Equal(0, count);
        Assert.Equal($"shape {TensorShape.Format(shape)} has more than {TensorShape.MaxElements} elements", problem);
    }

    [Fact]
    public void TryGetElementCount_DoesNotDependOnTheOrderOfDimensions()
    {
        // The product of [huge, 0] is 0, exactly as for [0, huge]: the contract is about the product.
        Assert.True(TensorShape.TryGetElementCount([0, long.MaxValue], out var zeroFirst, out _));
        Assert.True(TensorShape.TryGetElementCount([long.MaxValue, 0], out var zeroLast, out var problem), problem);
        Assert.Equal(zeroFirst, zeroLast);
    }

    [Theory]
    [InlineData(new long[] { -1 }, -1)]
    [InlineData(new long[] { 2, -1 }, -1)]
    [InlineData(new long[] { 3, -5, 2 }, -5)]
    [InlineData(new long[] { 0, -1 }, -1)]
    [InlineData(new long[] { long.MinValue }, long.MinValue)]
    public void TryGetElementCount_RejectsNegativeDimensions(long[] shape, long dim)
    {
        Assert.False(TensorShape.TryGetElementCount(shape, out var count, out var problem));
        Assert.Equal(0, count);
        Assert.Equal($"shape {TensorShape.Format(shape)} has a negative dimension ({dim})", problem);
    }

    [Theory]
    [InlineData(new long[] { -1, 3 }, new long[] { 5, 3 }, true)]
    [InlineData(new long[] { -1, -1 }, new long[] { 0, 7 }, true)]
    [InlineData(new long[] { 2, 3 }, new long[] { 2, 3 }, true)]
    [InlineData(new long[0], new long[0], true)]
    [InlineData(new long[] { -1, 3 }, new long[] { 5, 4 }, false)]
    [InlineData(new long[] { -1, 3 }, new long[] { 5 }, false)]
    [InlineData(new long[] { -1 }, new long[] { 5, 1 }, false)]
    [InlineData(new long[] { 2 }, new long[] { -1 }, false)]
    public void Matches_TreatsMinusOneAsAnySize(long[] expected, long[] actual, bool matches)
    {
        Assert.Equal(matches, TensorShape.Matches(expected, actual));
    }

    [Theory]
    [InlineData(new long[0], "[]")]
    [InlineData(new long[] { 7 }, "[7]")]
    [InlineData(new long[] { -1, 3, 224 }, "[-1,3,224]")]
    public void Format_WritesProtocolStyle(long[] shape, string expected)
    {
        Assert.Equal(expected, TensorShape.Format(shape));
    }
}
