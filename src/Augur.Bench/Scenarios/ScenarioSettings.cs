namespace Augur.Bench.Scenarios;

/// <summary>How one scenario run is driven. Defaults follow LoadGen where they fit a run of seconds.</summary>
public sealed record ScenarioSettings(Scenario Scenario)
{
    /// <summary>Samples per query: 8 for MultiStream, 1 for SingleStream and Server, 32 for Offline.</summary>
    public int SamplesPerQuery { get; init; } = Scenario switch
    {
        Scenario.MultiStream => 8,
        Scenario.Offline => 32,
        _ => 1,
    };

    /// <summary>The Server scenario's arrival rate, queries per second.</summary>
    public double TargetQps { get; init; } = 100;

    /// <summary>The Server scenario's bound on p99 latency. Default 15 ms.</summary>
    public TimeSpan LatencyBound { get; init; } = TimeSpan.FromMilliseconds(15);

    /// <summary>The measured window lasts at least this long. Default 30 s.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The measured window holds at least this many queries. Default 0.</summary>
    public long MinQueryCount { get; init; }

    /// <summary>Load at the same rate before the measured window; its queries are not counted. Default 0.</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>Seed of the Server scenario's arrival schedule. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Server: most queries in flight; arrivals beyond it count as errors. Default 10,000.</summary>
    public int MaxOutstanding { get; init; } = 10_000;

    /// <summary>Offline: queries kept in flight. Default 64.</summary>
    public int OfflineConcurrency { get; init; } = 64;

    /// <summary>Streams: the number of concurrent streams. Default 1.</summary>
    public int Streams { get; init; } = 1;

    /// <summary>Streams: readings each stream sends per second. Default 30.</summary>
    public double ReadingsPerSecond { get; init; } = 30;

    /// <summary>Streams: how each stream spaces its readings. Default fixed intervals (with a random phase per stream).</summary>
    public StreamArrivals Arrivals { get; init; } = StreamArrivals.Fixed;

    /// <summary>The latency percentile that is the scenario's metric (or its bound): 90 for SingleStream, else 99.</summary>
    public double Percentile => Scenario == Scenario.SingleStream ? 90 : 99;
}

/// <summary>How a stream of the Streams scenario spaces its readings.</summary>
public enum StreamArrivals
{
    /// <summary>Every 1/R seconds, each stream starting at a random phase so streams do not all send at once.</summary>
    Fixed,

    /// <summary>Exponential gaps with mean 1/R, independently per stream.</summary>
    Poisson,
}
