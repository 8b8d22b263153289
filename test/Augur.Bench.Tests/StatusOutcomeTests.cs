using System.Text.Json;
using Augur.Bench.Reporting;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;
using Augur.Errors;
using Grpc.Core;

namespace Augur.Bench.Tests;

/// <summary>Answers by status class, success and refusal latency, and goodput, on virtual time: every number is exact.</summary>
public sealed class StatusOutcomeTests
{
    /// <summary>One stream of 100 readings per second for 1 s: exactly 100 readings, each answered by <see cref="Answer"/>.</summary>
    private static readonly ScenarioSettings OneStream = new(Scenario.Streams)
    {
        Streams = 1,
        ReadingsPerSecond = 100,
        MinDuration = TimeSpan.FromSeconds(1),
        LatencyBound = TimeSpan.FromMilliseconds(15),
    };

    /// <summary>
    /// Reading i, by i mod 10: 0 a 200 after 40 ms (past the bound), 1–6 a 200 after 2 ms, 7 a 429 after 1 ms, 8 a 400
    /// after 3 ms, 9 a 503 at once. Every answer comes before the window's end, wherever the stream's phase lies in its
    /// first 10 ms, so the window lasts exactly 1 s.
    /// </summary>
    private static (long, QueryOutcome) Answer(long i) => (i % 10) switch
    {
        0 => (VirtualClock.Ms(40), QueryOutcome.Answered("200")),
        <= 6 => (VirtualClock.Ms(2), QueryOutcome.Answered("200", "model")),
        7 => (VirtualClock.Ms(1), QueryOutcome.Failed("429", "HTTP 429: slow down")),
        8 => (VirtualClock.Ms(3), QueryOutcome.Failed("400", "HTTP 400: bad input")),
        _ => (0, QueryOutcome.Failed("503", "HTTP 503: busy")),
    };

    private static RunResult RunOneStream()
    {
        var clock = new VirtualClock();
        return clock.Run(() => new ScenarioRunner(clock).RunAsync(OneStream, new StatusTarget(clock, Answer)));
    }

    [Fact]
    public void A_run_counts_its_answers_by_status_in_name_order()
    {
        var result = RunOneStream();

        Assert.Equal([new("200", 70), new("400", 10), new("429", 10), new("503", 10)], result.Statuses.ToArray());
        Assert.Equal(70, result.Queries);
        Assert.Equal(30, result.Errors);
        Assert.Equal(20, result.Refusals);
        Assert.Equal(1.0, result.DurationSeconds);
    }

    [Fact]
    public void Successes_and_refusals_have_their_own_percentiles()
    {
        var result = RunOneStream();

        var success = result.SuccessLatency!;
        Assert.Equal(70, success.Count);
        AssertMs(2, success.P50Ms);
        AssertMs(40, success.P99Ms);
        AssertMs(40, success.MaxMs);

        // Ten 503s at once (recorded as 1 ns, the histogram's floor) and ten 429s after 1 ms; the 400s are not refusals.
        var refusal = result.RefusalLatency!;
        Assert.Equal(20, refusal.Count);
        Assert.True(refusal.P50Ms < 0.001, $"refusal p50 {refusal.P50Ms} ms");
        AssertMs(1, refusal.P99Ms);
        AssertMs(1, refusal.MaxMs);

        var all = result.AllLatency!;
        Assert.Equal(100, all.Count);
        AssertMs(40, all.MaxMs);

        // The existing fields keep their meaning: the successes' latency.
        Assert.Equal((success.P50Ms, success.P99Ms, success.MaxMs), (result.P50Ms, result.P99Ms, result.MaxMs));
    }

    [Fact]
    public void Goodput_counts_successes_per_second_and_within_the_bound_those_not_past_it()
    {
        var result = RunOneStream();

        Assert.Equal(70, result.GoodputPerSecond);
        Assert.Equal(60, result.GoodputWithinBoundPerSecond);
        Assert.Equal(15, result.LatencyBoundMs);
        Assert.Contains(" statuses=200:70,400:10,429:10,503:10 goodput/s=70.0 goodput_in_bound/s=60.0 ", result.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(" refusals=20 errors=30 sources=model:60,unstated:10", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_loop_scenario_has_no_bound_so_no_goodput_within_it()
    {
        var clock = new VirtualClock();
        var target = new StatusTarget(clock, i => (VirtualClock.Ms(1), i % 2 == 0 ? QueryOutcome.Answered("grpc:OK") : QueryOutcome.Failed("grpc:RESOURCE_EXHAUSTED", "gRPC ResourceExhausted: queue full")));
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.FromMilliseconds(100) };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal([new("grpc:OK", 50), new("grpc:RESOURCE_EXHAUSTED", 50)], result.Statuses.ToArray());
        Assert.Equal(50, result.Refusals);
        Assert.Equal(500, result.GoodputPerSecond, 9);
        Assert.Null(result.GoodputWithinBoundPerSecond);
        Assert.Null(result.LatencyBoundMs);
    }

    [Fact]
    public void The_JSON_report_holds_the_statuses_the_split_latencies_and_the_goodput()
    {
        var report = BenchReport.FromRun("http://127.0.0.1:1", "fraud", OneStream, RunOneStream());

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, BenchReport.JsonOptions));
        var result = json.RootElement.GetProperty("result");
        var statuses = result.GetProperty("statuses");
        Assert.Equal(["200", "400", "429", "503"], statuses.EnumerateObject().Select(p => p.Name));
        Assert.Equal(70, statuses.GetProperty("200").GetInt64());
        Assert.Equal(10, statuses.GetProperty("503").GetInt64());
        Assert.Equal(20, result.GetProperty("refusals").GetInt64());
        Assert.Equal(70, result.GetProperty("success_latency").GetProperty("count").GetInt64());
        AssertMs(40, result.GetProperty("success_latency").GetProperty("p99_ms").GetDouble());
        AssertMs(1, result.GetProperty("refusal_latency").GetProperty("max_ms").GetDouble());
        Assert.Equal(100, result.GetProperty("all_latency").GetProperty("count").GetInt64());
        Assert.Equal(70, result.GetProperty("goodput_per_second").GetDouble());
        Assert.Equal(60, result.GetProperty("goodput_within_bound_per_second").GetDouble());
        Assert.Equal(15, result.GetProperty("latency_bound_ms").GetDouble());

        Assert.EndsWith("  statuses 200:70,400:10,429:10,503:10  goodput 70/s (60/s within the bound)", report.Summary(), StringComparison.Ordinal);
        var html = HtmlReport.Render([report]);
        Assert.Contains("<td>200:70,400:10,429:10,503:10</td><td>70</td><td>60</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Held_answers_never_delay_a_later_send_and_refusals_come_back_at_once()
    {
        // Even queries are held until 2 s, well past the window; odd ones are refused at once. The dispatcher must still
        // send every query of the seeded schedule at its time.
        var clock = new VirtualClock();
        var target = new StatusTarget(clock, i => i % 2 == 0
            ? (VirtualClock.Ms(2000) - clock.Now, QueryOutcome.Answered("200"))
            : (0, QueryOutcome.Failed("503", "HTTP 503: busy")));
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 200, MinDuration = TimeSpan.FromMilliseconds(500), LatencyBound = TimeSpan.FromSeconds(1) };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        var arrivals = new PoissonArrivals(0, settings.TargetQps, settings.Seed, clock.Frequency);
        Assert.Equal(Enumerable.Range(0, 94).Select(_ => arrivals.Next()), target.SendTimes);
        Assert.Equal([new("200", 47), new("503", 47)], result.Statuses.ToArray());
        Assert.True(result.RefusalLatency!.MaxMs < 0.001, $"refusal max {result.RefusalLatency.MaxMs} ms");
        Assert.True(result.SendLagP99Ms < 0.001, $"send lag p99 {result.SendLagP99Ms} ms");
        Assert.Equal(0, result.GoodputWithinBoundPerSecond);
    }

    [Fact]
    public void Queries_past_the_outstanding_limit_are_counted_as_not_sent()
    {
        var clock = new VirtualClock();
        var target = new StatusTarget(clock, _ => (VirtualClock.Ms(2000) - clock.Now, QueryOutcome.Answered("200")));
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 200, MinDuration = TimeSpan.FromMilliseconds(500), MaxOutstanding = 10 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, target));

        Assert.Equal([new("200", 10), new(StatusClasses.NotSent, 84)], result.Statuses.ToArray());
        Assert.Equal(10, target.SendTimes.Count);
        Assert.Equal(0, result.Refusals);
    }

    [Theory]
    [InlineData("429", true)]
    [InlineData("503", true)]
    [InlineData("grpc:RESOURCE_EXHAUSTED", true)]
    [InlineData("grpc:UNAVAILABLE", true)]
    [InlineData("inprocess:ResourceExhausted", true)]
    [InlineData("inprocess:Unavailable", true)]
    [InlineData("200", false)]
    [InlineData("504", false)]
    [InlineData("500", false)]
    [InlineData("grpc:DEADLINE_EXCEEDED", false)]
    [InlineData("inprocess:DeadlineExceeded", false)]
    [InlineData("inprocess:NoSuchCode", false)]
    [InlineData(StatusClasses.Transport, false)]
    [InlineData(StatusClasses.NotSent, false)]
    [InlineData(StatusClasses.StreamErrorMessage, false)]
    public void Refusals_are_429_503_and_their_gRPC_and_in_process_equivalents(string status, bool refusal) =>
        Assert.Equal(refusal, StatusClasses.IsRefusal(status));

    [Fact]
    public void Classes_name_each_protocol_status_as_the_protocol_spells_it()
    {
        Assert.Equal("503", StatusClasses.Http(503));
        Assert.Equal("grpc:OK", StatusClasses.Grpc(StatusCode.OK));
        Assert.Equal("grpc:RESOURCE_EXHAUSTED", StatusClasses.Grpc(StatusCode.ResourceExhausted));
        Assert.Equal("grpc:DEADLINE_EXCEEDED", StatusClasses.Grpc(StatusCode.DeadlineExceeded));
        Assert.Equal("inprocess:ResourceExhausted", StatusClasses.InProcess(ErrorCode.ResourceExhausted));
        Assert.All(Enum.GetValues<StatusCode>(), code => Assert.Matches("^grpc:[A-Z_]+$", StatusClasses.Grpc(code)));

        // A refusal is a failure: a success never counts as one, whatever its class.
        Assert.False(QueryOutcome.Answered("503").IsRefusal);
        Assert.True(QueryOutcome.Failed("503", "busy").IsRefusal);
    }

    /// <summary>Within the histogram's 3 significant digits of <paramref name="expected"/>.</summary>
    private static void AssertMs(double expected, double actual) =>
        Assert.InRange(actual, expected * 0.999, expected * 1.001);
}
