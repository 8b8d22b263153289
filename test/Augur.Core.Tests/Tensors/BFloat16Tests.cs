using Augur.Tensors;

namespace Augur.Core.Tests.Tensors;

public sealed class BFloat16Tests
{
    [Theory]
    [InlineData(0x3F800000u, 0x3F80)] // 1.0 exactly
    [InlineData(0x3F807FFFu, 0x3F80)] // just below halfway: down
    [InlineData(0x3F808000u, 0x3F80)] // halfway, lower neighbour even: down
    [InlineData(0x3F808001u, 0x3F81)] // just above halfway: up
    [InlineData(0x3F818000u, 0x3F82)] // halfway, lower neighbour odd: up to even
    [InlineData(0x3F817FFFu, 0x3F81)]
    [InlineData(0xBF808000u, 0xBF80)] // negative halfway, even: magnitude down
    [InlineData(0xBF818000u, 0xBF82)] // negative halfway, odd: magnitude up
    [InlineData(0x00000000u, 0x0000)] // +0
    [InlineData(0x80000000u, 0x8000)] // -0 keeps its sign
    [InlineData(0x7F800000u, 0x7F80)] // +Infinity
    [InlineData(0xFF800000u, 0xFF80)] // -Infinity
    [InlineData(0x7F7FFFFFu, 0x7F80)] // float.MaxValue rounds up to +Infinity (as IEEE round-to-nearest does)
    [InlineData(0x00000001u, 0x0000)] // smallest subnormal rounds to zero
    [InlineData(0x00018000u, 0x0002)] // subnormal halfway, odd: up to even
    [InlineData(0x3FC00000u, 0x3FC0)] // 1.5
    public void FromFloat_RoundsToNearestEven(uint floatBits, int expectedBits)
    {
        var value = (BFloat16)BitConverter.UInt32BitsToSingle(floatBits);

        Assert.Equal((ushort)expectedBits, value.Bits);
    }

    [Theory]
    [InlineData(0x7FC00000u)] // quiet NaN
    [InlineData(0xFFC00000u)] // float.NaN (negative quiet NaN)
    [InlineData(0x7F800001u)] // signalling NaN whose payload lives only in the low 16 bits
    [InlineData(0xFF800001u)]
    [InlineData(0x7FFFFFFFu)] // all-ones payload would overflow to +0 if rounded like a number
    public void FromFloat_NaNStaysNaN(uint floatBits)
    {
        var value = (BFloat16)BitConverter.UInt32BitsToSingle(floatBits);

        Assert.True(float.IsNaN((float)value), $"0x{floatBits:X8} became 0x{value.Bits:X4}");
        Assert.Equal(floatBits >> 31, (uint)value.Bits >> 15); // sign preserved
    }

    [Fact]
    public void Widening_IsExactAndNarrowingRoundTripsEveryNonNaNPattern()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BFloat16.FromBits((ushort)bits);
            var widened = (float)value;
            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(widened));
            if (!float.IsNaN(widened))
            {
                Assert.Equal((ushort)bits, ((BFloat16)widened).Bits);
            }
        }
    }

    [Fact]
    public void Equality_IsBitwise()
    {
        var a = (BFloat16)1.5f;
        var b = BFloat16.FromBits(0x3FC0);
        var negativeZero = (BFloat16)(-0f);
        var zero = (BFloat16)0f;

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(zero != negativeZero);
        Assert.False(a.Equals("1.5"));
    }

    [Fact]
    public void ToString_UsesInvariantCulture()
    {
        Assert.Equal("1.5", ((BFloat16)1.5f).ToString());
        Assert.Equal("-3.140625", ((BFloat16)(-3.14159f)).ToString());
    }

    [Fact]
    public void Size_IsTwoBytes()
    {
        Assert.Equal(2, System.Runtime.CompilerServices.Unsafe.SizeOf<BFloat16>());
    }
}
