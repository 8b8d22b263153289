using Augur.Bench.Keys;

namespace Augur.Bench.Tests;

/// <summary>Seeded key draws: the same keys for the same seed whatever the threads, and Zipf's proportions.</summary>
public sealed class KeySequenceTests
{
    private static readonly Lazy<ZipfDistribution> Million = new(() => new ZipfDistribution(1.1, 1_000_000));

    [Fact]
    public void The_same_seed_draws_the_same_keys_and_another_seed_others()
    {
        var (a, b, other) = (new KeySequence(Million.Value, 1), new KeySequence(Million.Value, 1), new KeySequence(Million.Value, 2));
        var first = Enumerable.Range(0, 10_000).Select(_ => a.Next()).ToArray();

        Assert.Equal(first, Enumerable.Range(0, 10_000).Select(_ => b.Next()));
        Assert.Equal(first, Enumerable.Range(0, 10_000).Select(i => a.At(i)));
        Assert.NotEqual(first, Enumerable.Range(0, 10_000).Select(_ => other.Next()));

        // Pinned, so that a change to the key stream (which would make runs incomparable with earlier ones) is seen.
        Assert.Equal([2735, 15, 32, 252717, 2, 241, 40, 2], first.Take(8));
    }

    [Fact]
    public void Draws_taken_on_several_threads_are_the_same_keys_as_draws_taken_in_order()
    {
        var sequence = new KeySequence(Million.Value, 7);
        var drawn = new int[4][];
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            drawn[t] = Enumerable.Range(0, 25_000).Select(_ => sequence.Next()).ToArray();
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        }

        var expected = Enumerable.Range(0, 100_000).Select(i => new KeySequence(Million.Value, 7).At(i)).Order();
        Assert.Equal(expected, drawn.SelectMany(d => d).Order());
    }

    [Fact]
    public void A_million_seeded_draws_have_Zipfs_proportions()
    {
        const int Draws = 1_000_000;
        var zipf = Million.Value;
        var sequence = new KeySequence(zipf, 1);
        var counts = new int[zipf.Count];
        for (var i = 0; i < Draws; i++)
        {
            counts[sequence.Next()]++;
        }

        // The draws are seeded, so these counts are fixed: each check is that a count lies within 5 standard deviations
        // of its expectation, which a correct sampler meets and a wrong exponent, an off-by-one id or a biased uniform does not.
        void Near(long observed, double p, string what)
        {
            var (mean, sd) = (Draws * p, Math.Sqrt(Draws * p * (1 - p)));
            Assert.True(Math.Abs(observed - mean) <= 5 * sd, $"{what}: {observed} draws, expected {mean:0} ± {sd:0}");
        }

        foreach (var id in new[] { 0, 1, 2, 3, 10, 100, 1000 })
        {
            Near(counts[id], zipf.Probability(id), $"id {id}");
        }

        Near(counts.Take(10_000).Sum(), zipf.TopShare(10_000), "ids 0..9999");
        Near(counts.Take(100).Sum(), zipf.TopShare(100), "ids 0..99");
        Near(counts.Skip(500_000).Sum(), 1 - zipf.TopShare(500_000), "ids 500000..999999");

        // Pearson's chi-square over the first 100 ids and 20 log-spaced buckets of the rest (119 degrees of freedom;
        // the 1e-6 upper tail starts at about 200), so the whole shape is checked, not just a few points.
        var edges = Enumerable.Range(0, 101).Concat(Enumerable.Range(1, 20).Select(b => (int)Math.Round(100 * Math.Pow(10_000, b / 20.0)))).ToArray();
        var chi = 0.0;
        for (var b = 0; b + 1 < edges.Length; b++)
        {
            var observed = counts.AsSpan(edges[b], edges[b + 1] - edges[b]).ToArray().Sum(c => (long)c);
            var expected = Draws * (zipf.TopShare(edges[b + 1]) - zipf.TopShare(edges[b]));
            chi += (observed - expected) * (observed - expected) / expected;
        }

        Assert.True(chi < 200, $"chi-square {chi:0.0} over {edges.Length - 1} buckets");
    }
}
