using Augur.Bench.Scenarios;

namespace Augur.Bench.Tests;

/// <summary>The peak search on a fake target: a run passes when its rate is within a known capacity.</summary>
public sealed class PeakSearchTests
{
    private static RunResult Run(double qps, bool meets) =>
        new("server", qps, 100, 100, 0, null, 1, qps, qps, 1, 1, 1, meets ? 10 : 20, 20, 20, []);

    [Fact]
    public async Task One_noisy_failure_does_not_end_the_search()
    {
        var runs = new List<double>();
        var search = new PeakSearch(qps =>
        {
            runs.Add(qps);

            // The very first run (a server still warming up) misses the bound; after that the capacity is 1,000 QPS.
            return Task.FromResult(Run(qps, meets: runs.Count > 1 && qps <= 1000));
        }, boundMs: 15);

        var (peak, _) = await search.RunAsync();

        Assert.InRange(peak, 950, 1000);
        Assert.Equal([100, 100], runs.Take(2));
    }

    [Fact]
    public async Task A_rate_that_fails_twice_is_a_failure()
    {
        var search = new PeakSearch(qps => Task.FromResult(Run(qps, meets: qps <= 1000)), boundMs: 15);

        var (peak, _) = await search.RunAsync();

        Assert.InRange(peak, 950, 1000);
        Assert.All(search.Steps.Where(s => s.TargetQps > 1000).GroupBy(s => s.TargetQps), g => Assert.Equal(2, g.Count()));
    }
}
