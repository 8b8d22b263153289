using System.Globalization;

namespace Augur.Bench.Scenarios;

/// <summary>One bucket of the latency histogram: queries whose latency was at most <see cref="UpToMs"/>.</summary>
public sealed record HistogramBucket(double UpToMs, long Count);

/// <summary>
/// One scenario run over its measured window. Latencies (ms) are those of the queries issued (Server: scheduled) in
/// the window: for Server from the scheduled send time, otherwise from the issue time, to the end of the answer.
/// <see cref="Queries"/>, <see cref="Samples"/>, the rates, the percentiles from <see cref="MeanMs"/> to
/// <see cref="MaxMs"/> and <see cref="Histogram"/> are those of the successful queries; <see cref="Errors"/> counts the
/// window's queries that failed or were never sent. <see cref="Statuses"/>, <see cref="SuccessLatency"/>,
/// <see cref="RefusalLatency"/>, <see cref="AllLatency"/> and the goodput split them by how each query ended.
/// </summary>
public sealed record RunResult(
    string Scenario,
    double? TargetQps,
    long Queries,
    long Samples,
    long Errors,
    string? FirstError,
    double DurationSeconds,
    double QueriesPerSecond,
    double SamplesPerSecond,
    double MeanMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    IReadOnlyList<HistogramBucket> Histogram)
{
    /// <summary>
    /// Server: the p99 of how late queries reached the target after their scheduled time (dispatcher wake-up and thread
    /// hand-off). This part of the latency is the generator's own; null for the other scenarios.
    /// </summary>
    public double? SendLagP99Ms { get; init; }

    /// <summary>
    /// How many of the window's answers named each <c>prediction_source</c> (<c>model</c>, <c>cache</c>,
    /// <c>precomputed</c>), in name order; answers that named none count as <see cref="UnstatedSource"/>. Null when no
    /// answer named a source.
    /// </summary>
    public IReadOnlyDictionary<string, long>? PredictionSources { get; init; }

    /// <summary>The <see cref="PredictionSources"/> entry of answers that named no source.</summary>
    public const string UnstatedSource = "unstated";

    /// <summary>
    /// How many of the window's queries ended with each status class (<see cref="Targets.StatusClasses"/>: <c>200</c>,
    /// <c>503</c>, <c>grpc:UNAVAILABLE</c>, <c>transport</c>, ...), successes and failures alike, in name order.
    /// </summary>
    public IReadOnlyDictionary<string, long> Statuses { get; init; } = new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>
    /// How many of <see cref="Errors"/> were refusals: HTTP 429 or 503, gRPC <c>RESOURCE_EXHAUSTED</c> or
    /// <c>UNAVAILABLE</c>, or the in-process codes that map to them (<see cref="Targets.StatusClasses.IsRefusal"/>).
    /// </summary>
    public long Refusals { get; init; }

    /// <summary>The successes' latency (the same queries as <see cref="P50Ms"/> and the rest); null when none succeeded.</summary>
    public LatencySummary? SuccessLatency { get; init; }

    /// <summary>The refusals' latency: how fast the server said no; null when there were none.</summary>
    public LatencySummary? RefusalLatency { get; init; }

    /// <summary>Every query's latency, whatever its status (failures and unsent queries too); null when the window held none.</summary>
    public LatencySummary? AllLatency { get; init; }

    /// <summary>Successful answers per second of the window (the same number as <see cref="QueriesPerSecond"/>).</summary>
    public double GoodputPerSecond { get; init; }

    /// <summary>Server and Streams: the latency bound of the run; null for the other scenarios.</summary>
    public double? LatencyBoundMs { get; init; }

    /// <summary>Server and Streams: successful answers whose latency is within <see cref="LatencyBoundMs"/>, per second of the window.</summary>
    public double? GoodputWithinBoundPerSecond { get; init; }

    /// <summary>Streams: the number of concurrent streams (<see cref="TargetQps"/> is then the readings per second of all of them); null for the other scenarios.</summary>
    public int? Streams { get; init; }

    /// <summary>The latency at <paramref name="percentile"/> (90 or 99).</summary>
    public double PercentileMs(double percentile) => percentile >= 99 ? P99Ms : P90Ms;

    /// <summary>True when no query failed and the p99 latency is within <paramref name="boundMs"/>.</summary>
    public bool MeetsBound(double boundMs) => Errors == 0 && Queries > 0 && P99Ms <= boundMs;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Streams is { } n ? $"streams={n} " : string.Empty)}{(TargetQps is { } q ? $"target_qps={q:0.##} " : string.Empty)}queries={Queries} qps={QueriesPerSecond:0.0} samples/s={SamplesPerSecond:0.0} p50_ms={P50Ms:0.000} p90_ms={P90Ms:0.000} p99_ms={P99Ms:0.000} max_ms={MaxMs:0.000}{(SendLagP99Ms is { } lag ? $" send_lag_p99_ms={lag:0.000}" : string.Empty)}{Outcomes()} errors={Errors}{(PredictionSources is { } sources ? $" sources={FormatSources(sources)}" : string.Empty)}");

    /// <summary>
    /// <c> statuses=200:90,503:10 goodput/s=90.0 goodput_in_bound/s=85.0 refused_p50_ms=0.050 refused_p99_ms=0.100 refusals=10</c>:
    /// the statuses, goodput and refusals of the run line (empty when the window held no query).
    /// </summary>
    private string Outcomes() => Statuses.Count == 0 ? string.Empty : string.Create(
        CultureInfo.InvariantCulture,
        $" statuses={FormatSources(Statuses)} goodput/s={GoodputPerSecond:0.0}{(GoodputWithinBoundPerSecond is { } inBound ? $" goodput_in_bound/s={inBound:0.0}" : string.Empty)}{(RefusalLatency is { } refused ? $" refused_p50_ms={refused.P50Ms:0.000} refused_p99_ms={refused.P99Ms:0.000}" : string.Empty)} refusals={Refusals}");

    /// <summary><c>cache:120,model:3</c> (or <c>200:90,503:10</c>): each source (or status) and its count, in the dictionary's order.</summary>
    public static string FormatSources(IReadOnlyDictionary<string, long> sources) =>
        string.Join(',', (sources ?? throw new ArgumentNullException(nameof(sources))).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}:{p.Value}")));
}
