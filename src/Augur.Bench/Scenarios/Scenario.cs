namespace Augur.Bench.Scenarios;

/// <summary>The MLPerf LoadGen scenarios.</summary>
public enum Scenario
{
    /// <summary>One sample per query; the next query is issued when the previous completes. Metric: p90 latency.</summary>
    SingleStream,

    /// <summary>N samples per query (default 8); the next query is issued when the previous completes. Metric: p99 latency.</summary>
    MultiStream,

    /// <summary>Poisson arrivals at a target QPS, open loop, latency from the intended send time. Metric: QPS with p99 within the bound.</summary>
    Server,

    /// <summary>All samples available at once, kept in flight as a deep queue. Metric: samples per second.</summary>
    Offline,

    /// <summary>
    /// N concurrent streams (sensors, cameras, sessions), each sending readings at a fixed rate (fixed intervals or
    /// Poisson), open loop, latency per reading from its intended send time. Metric: the most streams whose p99 stays
    /// within the bound. Not a LoadGen scenario.
    /// </summary>
    Streams,
}
