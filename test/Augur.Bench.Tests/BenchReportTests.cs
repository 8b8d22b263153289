using Augur.Bench.Reporting;
using Augur.Bench.Scenarios;

namespace Augur.Bench.Tests;

/// <summary>What <c>augur bench</c> prints for a Server run against its p99 bound, on virtual time.</summary>
public sealed class BenchReportTests
{
    /// <summary>The Server run of the CLI test: 200 QPS for 500 ms, no warm-up, a 1 s bound, seed 1.</summary>
    private static readonly ScenarioSettings CliServerRun = new(Scenario.Server)
    {
        TargetQps = 200,
        MinDuration = TimeSpan.FromMilliseconds(500),
        LatencyBound = TimeSpan.FromSeconds(1),
    };

    private static BenchReport Run(Func<long, long> serviceTime, Func<long, string?>? error = null)
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (i, _) => serviceTime(i)) { Error = error ?? (_ => null) };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(CliServerRun, target));
        return BenchReport.FromRun("in-process", "fraud", CliServerRun, result);
    }

    [Fact]
    public void A_p99_within_the_bound_is_met()
    {
        var report = Run(_ => VirtualClock.Ms(500));

        Assert.True(report.Valid);
        Assert.StartsWith("in-process  Server  server_p99_latency_ms: 500", report.Summary(), StringComparison.Ordinal);
        Assert.Contains("  (p99 bound 1000 ms: met)", report.Summary(), StringComparison.Ordinal);
        Assert.Equal(1000, report.LatencyBoundMs);
    }

    [Fact]
    public void A_p99_past_the_bound_is_not_met()
    {
        // One query in 20 takes 2 s, so the p99 is one of those.
        var report = Run(i => VirtualClock.Ms(i % 20 == 19 ? 2000 : 1));

        Assert.False(report.Valid);
        Assert.True(report.Value > 1000, $"p99 {report.Value} ms");
        Assert.Contains("  (p99 bound 1000 ms: NOT met)", report.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_query_fails_the_bound_whatever_the_latency()
    {
        var report = Run(_ => VirtualClock.Ms(1), error: i => i == 0 ? "HTTP 503: busy" : null);

        Assert.False(report.Valid);
        Assert.Contains("  (p99 bound 1000 ms: NOT met)", report.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_seeded_schedule_of_the_cli_test_has_94_queries()
    {
        // BenchCliTests asserts this count on the real clock: the schedule depends on the seed alone.
        var report = Run(_ => VirtualClock.Ms(1));

        Assert.Equal(94, report.Result!.Queries);
        Assert.Contains("target_qps=200 queries=94 ", report.Result.ToString(), StringComparison.Ordinal);
    }
}
