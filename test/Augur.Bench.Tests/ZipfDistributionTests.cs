using Augur.Bench.Keys;

namespace Augur.Bench.Tests;

/// <summary>The Zipf table against the closed form, and its inversion at the edges of each id's share.</summary>
public sealed class ZipfDistributionTests
{
    private static readonly Lazy<ZipfDistribution> Million = new(() => new ZipfDistribution(1.1, 1_000_000));

    [Fact]
    public void Probabilities_follow_the_closed_form_with_id_0_the_most_popular()
    {
        var zipf = Million.Value;
        // H(N, s) summed the other way round, smallest terms first, independently of the table.
        var h = 0.0;
        for (var k = 1_000_000; k >= 1; k--)
        {
            h += Math.Pow(k, -1.1);
        }

        foreach (var id in new[] { 0, 1, 2, 9, 99, 9_999, 10_000, 123_456, 999_999 })
        {
            var expected = Math.Pow(id + 1, -1.1) / h;
            Assert.True(Math.Abs(zipf.Probability(id) - expected) <= expected * 1e-9, $"id {id}: {zipf.Probability(id)} against {expected}");
        }

        Assert.Equal(0.12387640755180952, zipf.Probability(0), 12);
        Assert.Equal(0.8180050564266423, zipf.TopShare(10_000), 10); // the top 1% of ids take 81.8% of draws
        Assert.Equal(1.0, zipf.TopShare(1_000_000));
        Assert.Equal(1.0, zipf.TopShare(2_000_000));
        Assert.Equal(0.0, zipf.TopShare(0));
        Assert.Equal("zipf:1.1:1000000", zipf.Spec);
    }

    [Fact]
    public void A_draw_is_the_id_whose_share_of_the_unit_interval_holds_it()
    {
        var zipf = Million.Value;
        var p0 = zipf.TopShare(1);
        var p1 = zipf.Probability(1);

        Assert.Equal(zipf.Probability(0), p0, 15);
        Assert.Equal(0, zipf.Sample(0));
        Assert.Equal(0, zipf.Sample(Math.BitDecrement(p0)));
        Assert.Equal(1, zipf.Sample(p0));
        Assert.Equal(1, zipf.Sample(Math.BitDecrement(zipf.TopShare(2))));
        Assert.Equal(2, zipf.Sample(zipf.TopShare(2)));
        Assert.True(p0 + p1 - zipf.TopShare(2) is > -1e-15 and < 1e-15);
        Assert.Equal(10_000, zipf.Sample(zipf.TopShare(10_000)));
        Assert.Equal(9_999, zipf.Sample(Math.BitDecrement(zipf.TopShare(10_000))));
        Assert.Equal(999_999, zipf.Sample(Math.BitDecrement(1.0)));
    }

    [Fact]
    public void Exponent_0_is_uniform()
    {
        var uniform = new ZipfDistribution(0, 4);

        Assert.All(Enumerable.Range(0, 4), id => Assert.Equal(0.25, uniform.Probability(id), 15));
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], new[] { 0, 0.2499, 0.25, 0.4999, 0.5, 0.7499, 0.75, 0.9999 }.Select(uniform.Sample));
    }

    [Fact]
    public void One_id_takes_every_draw()
    {
        var single = new ZipfDistribution(1.1, 1);

        Assert.Equal(1.0, single.Probability(0));
        Assert.Equal(0, single.Sample(0.999));
    }

    [Theory]
    [InlineData("zipf:1.1:1000000", 1.1, 1_000_000)]
    [InlineData("zipf:0:10", 0.0, 10)]
    [InlineData("zipf:2.5:1", 2.5, 1)]
    public void Parses_zipf_S_N(string text, double exponent, int count)
    {
        Assert.True(ZipfDistribution.TryParse(text, out var zipf, out var problem), problem);
        Assert.Equal((exponent, count), (zipf.Exponent, zipf.Count));
        Assert.Equal(text, zipf.Spec);
    }

    [Theory]
    [InlineData("uniform:10", "is not zipf:S:N")]
    [InlineData("zipf:1.1", "is not zipf:S:N")]
    [InlineData("zipf:1.1:10:3", "is not zipf:S:N")]
    [InlineData("zipf:-1:10", "the exponent '-1' is not a number ≥ 0")]
    [InlineData("zipf:NaN:10", "the exponent 'NaN' is not a number ≥ 0")]
    [InlineData("zipf:x:10", "the exponent 'x' is not a number ≥ 0")]
    [InlineData("zipf:1.1:0", "the id count '0' is not an integer from 1 to 10,000,000")]
    [InlineData("zipf:1.1:1e6", "the id count '1e6' is not an integer from 1 to 10,000,000")]
    [InlineData("zipf:1.1:10000001", "the id count '10000001' is not an integer from 1 to 10,000,000")]
    public void Rejects_anything_else_and_says_what_is_wrong(string text, string reason)
    {
        Assert.False(ZipfDistribution.TryParse(text, out var zipf, out var problem));
        Assert.Null(zipf);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.StartsWith($"'{text}'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_draw_outside_0_to_1_is_refused(double unit) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfDistribution(1, 10).Sample(unit));
}
