using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Augur.Bench.Scenarios;

namespace Augur.Bench.Reporting;

/// <summary>
/// What <c>augur bench</c> reports for one target: the scenario's metric, whether the run is valid (Server: p99 within
/// the bound, no errors), the run the metric comes from and, for a peak search, every step.
/// </summary>
public sealed record BenchReport(
    string Target,
    string Model,
    string Scenario,
    string Metric,
    double Value,
    bool Valid,
    double? LatencyBoundMs,
    RunResult? Result,
    IReadOnlyList<RunResult> Steps)
{
    /// <summary>The JSON settings of every result file: snake_case names, NaN written as a string.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>The metric's name for a scenario, e.g. <c>server_peak_qps</c>.</summary>
    public static string MetricName(Scenario scenario, bool findPeak) => scenario switch
    {
        Scenarios.Scenario.SingleStream => "single_stream_p90_latency_ms",
        Scenarios.Scenario.MultiStream => "multi_stream_p99_latency_ms",
        Scenarios.Scenario.Server when findPeak => "server_peak_qps",
        Scenarios.Scenario.Server => "server_p99_latency_ms",
        Scenarios.Scenario.Streams when findPeak => "streams_peak_streams",
        Scenarios.Scenario.Streams => "streams_p99_latency_ms",
        _ => "offline_samples_per_second",
    };

    /// <summary>Builds the report of a single run (not a peak search).</summary>
    public static BenchReport FromRun(string target, string model, ScenarioSettings settings, RunResult result)
    {
        var boundMs = settings.LatencyBound.TotalMilliseconds;
        var (value, valid) = settings.Scenario switch
        {
            Scenarios.Scenario.SingleStream => (result.P90Ms, result.Errors == 0 && result.Queries > 0),
            Scenarios.Scenario.MultiStream => (result.P99Ms, result.Errors == 0 && result.Queries > 0),
            Scenarios.Scenario.Server or Scenarios.Scenario.Streams => (result.P99Ms, result.MeetsBound(boundMs)),
            _ => (result.SamplesPerSecond, result.Errors == 0 && result.Queries > 0),
        };
        return new BenchReport(
            target, model, settings.Scenario.ToString(), MetricName(settings.Scenario, false), value, valid,
            settings.Scenario is Scenarios.Scenario.Server or Scenarios.Scenario.Streams ? boundMs : null, result, [result]);
    }

    /// <summary>Builds the report of a peak search (Server: the peak QPS; Streams: the most streams).</summary>
    public static BenchReport FromPeak(string target, string model, ScenarioSettings settings, double peakQps, RunResult? best, IReadOnlyList<RunResult> steps) =>
        new(target, model, settings.Scenario.ToString(), MetricName(settings.Scenario, true), peakQps, best is not null,
            settings.LatencyBound.TotalMilliseconds, best, steps);

    /// <summary>
    /// One line per report for the console; it ends with the answers' sources when they named any, then the run's
    /// answers by status class and its goodput (within the bound too, when the scenario has one).
    /// </summary>
    public string Summary() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target}  {Scenario}  {Metric}: {Value:0.###}{(LatencyBoundMs is { } b ? $"  (p99 bound {b:0.###} ms: {(Valid ? "met" : "NOT met")})" : Valid ? string.Empty : "  (INVALID: errors or no queries)")}{(Result?.PredictionSources is { } sources ? $"  prediction_source {RunResult.FormatSources(sources)}" : string.Empty)}{Outcomes(Result)}");

    /// <summary><c>  statuses 200:90,503:10  goodput 90/s (85/s within the bound)</c>, or nothing without a run or queries.</summary>
    private static string Outcomes(RunResult? run) => run is null || run.Statuses.Count == 0 ? string.Empty : string.Create(
        CultureInfo.InvariantCulture,
        $"  statuses {RunResult.FormatSources(run.Statuses)}  goodput {run.GoodputPerSecond:0.#}/s{(run.GoodputWithinBoundPerSecond is { } inBound ? $" ({inBound:0.#}/s within the bound)" : string.Empty)}");
}
