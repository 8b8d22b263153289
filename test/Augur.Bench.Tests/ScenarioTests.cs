using Augur.Bench.Scenarios;
using Augur.Bench.Timing;

namespace Augur.Bench.Tests;

/// <summary>Scenario semantics on virtual time: every number here is exact or seeded.</summary>
public sealed class ScenarioTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public void SingleStream_issues_the_next_query_when_the_previous_completes_until_the_duration()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(1));
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(new ScenarioSettings(Scenario.SingleStream) { MinDuration = OneSecond }, target));

        Assert.Equal(1000, result.Queries);
        Assert.Equal(1000, target.SampleCounts.Count);
        Assert.All(target.SampleCounts, n => Assert.Equal(1, n));
        Assert.Equal(1.0, result.P90Ms, 2);
        Assert.Equal(1000, result.QueriesPerSecond, 6);
    }

    [Fact]
    public void The_minimum_query_count_extends_a_run_past_its_duration()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(1));
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.FromMilliseconds(10), MinQueryCount = 50 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal(50, result.Queries);
    }

    [Fact]
    public void Warmup_queries_are_sent_but_not_counted()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(1));
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.FromMilliseconds(100), Warmup = TimeSpan.FromMilliseconds(50) };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal(100, result.Queries);
        Assert.Equal(150, target.SampleCounts.Count);
    }

    [Fact]
    public void MultiStream_sends_eight_samples_per_query_and_reports_p99()
    {
        var clock = new VirtualClock();
        // Every 100th query takes 10 ms, the rest 1 ms: p99 sits on the boundary, p99.9 on the slow ones.
        var target = new DelayTarget(clock, (i, _) => VirtualClock.Ms(i % 100 == 99 ? 10 : 1));
        var settings = new ScenarioSettings(Scenario.MultiStream) { MinDuration = OneSecond };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal(8, settings.SamplesPerQuery);
        Assert.All(target.SampleCounts, n => Assert.Equal(8, n));
        Assert.Equal(result.Queries * 8, result.Samples);
        Assert.Equal(1.0, result.P99Ms, 2);
        Assert.Equal(10.0, result.MaxMs, 1);
    }

    [Fact]
    public void Offline_keeps_its_queries_in_flight_and_reports_samples_per_second()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(10));
        var settings = new ScenarioSettings(Scenario.Offline) { MinDuration = OneSecond, OfflineConcurrency = 4 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal(400, result.Queries);
        Assert.Equal(400 * 32, result.Samples);
        Assert.Equal(12_800, result.SamplesPerSecond, 6);
    }

    [Fact]
    public void Server_arrivals_follow_the_target_rate()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(0.1));
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 1000, MinDuration = TimeSpan.FromSeconds(10), Seed = 7 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        // A Poisson count over 10 s at 1000/s has a standard deviation of 100.
        Assert.InRange(result.Queries, 9_700, 10_300);
        Assert.Equal(0, result.Errors);
        Assert.Equal(0.1, result.P99Ms, 3);
        Assert.Equal(0, result.SendLagP99Ms!.Value, 3);
    }

    [Fact]
    public void Poisson_inter_arrival_mean_is_one_over_the_rate()
    {
        var arrivals = new PoissonArrivals(0, 2_000, seed: 42, frequency: 1_000_000_000);
        const int Count = 100_000;
        long previous = 0, last = 0;
        var gaps = new double[Count];
        for (var i = 0; i < Count; i++)
        {
            last = arrivals.Next();
            gaps[i] = last - previous;
            previous = last;
        }

        // Mean 0.5 ms; its standard error over 100,000 gaps is 0.3%.
        Assert.InRange(last / (double)Count, 0.99 * 500_000, 1.01 * 500_000);
        // Exponential: the standard deviation equals the mean.
        var mean = gaps.Average();
        var deviation = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / Count);
        Assert.InRange(deviation / mean, 0.97, 1.03);
        // The same seed gives the same schedule.
        Assert.Equal(new PoissonArrivals(0, 2_000, 42, 1_000_000_000).Next(), new PoissonArrivals(0, 2_000, 42, 1_000_000_000).Next());
    }

    [Fact]
    public void A_stalled_target_shows_up_as_latency_not_as_fewer_queries()
    {
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 1000, MinDuration = TimeSpan.FromSeconds(2), Seed = 3 };

        var steadyClock = new VirtualClock();
        var steady = steadyClock.Run(() => new ScenarioRunner(steadyClock).RunAsync(settings, new DelayTarget(steadyClock, (_, _) => VirtualClock.Ms(0.1))));

        // The same schedule, but the target answers nothing between 500 ms and 700 ms: whatever arrives then waits for 700 ms.
        var clock = new VirtualClock();
        var stalling = new DelayTarget(clock, (_, now) => now is >= 500_000_000 and < 700_000_000 ? 700_000_000 - now + VirtualClock.Ms(0.1) : VirtualClock.Ms(0.1));
        var stalled = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, stalling));

        Assert.Equal(steady.Queries, stalled.Queries);
        Assert.Equal(0.1, steady.MaxMs, 3);
        // About 10% of the queries arrive in the stall, waiting up to 200 ms: the p99 is well inside the stall.
        Assert.InRange(stalled.P99Ms, 150, 200.2);
        Assert.InRange(stalled.MaxMs, 195, 200.2);
        Assert.False(stalled.MeetsBound(15));
        Assert.True(steady.MeetsBound(15));
    }

    [Fact]
    public void Server_latency_runs_from_the_scheduled_time_through_a_queue()
    {
        // A single server busy for 1 s on the first query: every arrival behind it waits, measured from its own arrival.
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (i, now) => i == 0 ? 1_000_000_000 : Math.Max(VirtualClock.Ms(0.1), 1_000_000_000 - now));
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 100, MinDuration = TimeSpan.FromSeconds(2), Seed = 5 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.InRange(result.Queries, 150, 250);
        Assert.InRange(result.P50Ms, 0.09, 0.11);
        Assert.True(result.MaxMs > 900);
    }

    [Fact]
    public void Failed_queries_are_errors_and_fail_the_bound()
    {
        var clock = new VirtualClock();
        var target = new DelayTarget(clock, (_, _) => VirtualClock.Ms(1)) { Error = i => i == 3 ? "HTTP 503: busy" : null };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(new ScenarioSettings(Scenario.Server) { TargetQps = 100, MinDuration = OneSecond }, target));

        Assert.Equal(1, result.Errors);
        Assert.Equal("HTTP 503: busy", result.FirstError);
        Assert.False(result.MeetsBound(15));
    }

    [Fact]
    public async Task Find_peak_converges_below_a_known_capacity()
    {
        // One server at 1 ms per query: a capacity of 1000 QPS. Past it the queue grows without end.
        var clock = new VirtualClock();
        var target = new QueueTarget(clock, VirtualClock.Ms(1));
        var settings = new ScenarioSettings(Scenario.Server) { MinDuration = TimeSpan.FromSeconds(5), LatencyBound = TimeSpan.FromMilliseconds(50) };
        var runner = new ScenarioRunner(clock);
        var search = new PeakSearch(qps => Task.FromResult(clock.Run(() => runner.RunAsync(settings with { TargetQps = qps }, target))), 50);
        var (peak, best) = await search.RunAsync();

        Assert.InRange(peak, 800, 999);
        Assert.NotNull(best);
        Assert.True(best.P99Ms <= 50);
        Assert.All(search.Steps.Where(s => s.TargetQps >= 1000), s => Assert.False(s.MeetsBound(50)));
        Assert.Equal([100, 200, 400, 800, 1600], search.Steps.Take(5).Select(s => s.TargetQps!.Value));
    }

    [Fact]
    public void Durations_parse_as_the_command_line_writes_them()
    {
        Assert.True(Durations.TryParse("15ms", out var a));
        Assert.Equal(TimeSpan.FromMilliseconds(15), a);
        Assert.True(Durations.TryParse("30s", out var b));
        Assert.Equal(TimeSpan.FromSeconds(30), b);
        Assert.True(Durations.TryParse("500us", out var c));
        Assert.Equal(TimeSpan.FromMicroseconds(500), c);
        Assert.True(Durations.TryParse("2m", out var d));
        Assert.Equal(TimeSpan.FromMinutes(2), d);
        Assert.True(Durations.TryParse("1.5", out var e));
        Assert.Equal(TimeSpan.FromSeconds(1.5), e);
        Assert.False(Durations.TryParse("fast", out _));
        Assert.False(Durations.TryParse("-1s", out _));
    }
}
