using System.CommandLine;
using Augur.Bench.Keys;
using Augur.Bench.Scenarios;
using Augur.Bench.Timing;

namespace Augur.Cli.Commands.Bench;

/// <summary>The options <c>augur bench</c> and <c>augur bench compare</c> share, and their checks.</summary>
internal sealed class BenchOptions
{
    public Option<string?> Model { get; } = new("--model") { Description = "The model to load (or --models-from)." };

    public Option<DirectoryInfo?> ModelsFrom { get; } = new("--models-from")
    {
        Description = "Spread the queries over many models: a folder of request files MODEL.json, one per model; each query goes to a model drawn " +
            "uniformly at random (seeded by --seed) and sends its file. Instead of --model; http(s):// and in-process targets.",
    };

    public Option<string?> ModelVersion { get; } = new("--model-version") { Description = "The version; default the latest ready one." };

    public Option<string> Scenario { get; } = new Option<string>("--scenario")
    {
        Description = "single-stream (p90 latency), multi-stream (p99), server (Poisson arrivals; p99 within the bound), offline (samples/s) or streams (N streams of readings; p99 within the bound).",
        Required = true,
    }.AcceptOnlyFromAmong("single-stream", "multi-stream", "server", "offline", "streams");

    public Option<string?> LatencyBound { get; } = new("--latency-bound") { Description = "Server and streams: the p99 bound, e.g. 15ms. Default 15ms (server), 50ms (streams)." };

    public Option<int?> Streams { get; } = new("--streams") { Description = "Streams: the number of concurrent streams." };

    public Option<double> ReadingsPerSecond { get; } = new("--readings-per-second") { Description = "Streams: readings each stream sends per second. Default 30.", DefaultValueFactory = _ => 30 };

    public Option<string> Arrivals { get; } = new Option<string>("--arrivals")
    {
        Description = "Streams: fixed (every 1/R s, random phase per stream) or poisson. Default fixed.",
        DefaultValueFactory = _ => "fixed",
    }.AcceptOnlyFromAmong("fixed", "poisson");

    public Option<double?> Qps { get; } = new("--qps") { Description = "Server: the arrival rate in queries per second." };

    public Option<bool> FindPeak { get; } = new("--find-peak") { Description = "Server: search for the highest QPS; streams: for the most streams; whose p99 meets --latency-bound with no errors." };

    public Option<string> Duration { get; } = new("--duration") { Description = "Minimum measured duration per run, e.g. 30s. Default 30s.", DefaultValueFactory = _ => "30s" };

    public Option<long> MinQueryCount { get; } = new("--min-query-count") { Description = "Minimum queries per measured run. Default 0.", DefaultValueFactory = _ => 0 };

    public Option<string> Warmup { get; } = new("--warmup") { Description = "Load before each measured run, not counted. Default 2s.", DefaultValueFactory = _ => "2s" };

    public Option<int?> SamplesPerQuery { get; } = new("--samples-per-query") { Description = "Samples per query. Default 8 for multi-stream, 32 for offline, otherwise 1." };

    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Offline: queries kept in flight. Default 64.", DefaultValueFactory = _ => 64 };

    public Option<int?> Connections { get; } = new("--connections") { Description = "HTTP: most connections per server. Default 64; streams: no limit, so each stream can keep its own connection." };

    public Option<bool> SequencePerStream { get; } = new("--sequence-per-stream") { Description = "Streams, for a stateful sequence model (implicit_start): each stream sends its own sequence_id, so each stream is one sequence." };

    public Option<bool> Binary { get; } = new("--binary") { Description = "HTTP: send tensors with the binary tensor data extension instead of JSON." };

    public Option<FileInfo?> Request { get; } = new("--request") { Description = "Send this Open Inference Protocol JSON request instead of random tensors shaped by the model's metadata." };

    public Option<string?> Keys { get; } = new("--keys")
    {
        Description = "Send one key per query, drawn from zipf:S:N (exponent S over the ids 0..N-1, id 0 the most popular; zipf:0:N is uniform): " +
            "the query carries inputs derived from the key alone and the request parameter prediction_key = the key. One sample per query.",
    };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the arrival schedule and random data. Default 1.", DefaultValueFactory = _ => 1 };

    public Option<FileInfo?> Json { get; } = new("--json") { Description = "Write the result as JSON to this file." };

    public Option<FileInfo?> Html { get; } = new("--html") { Description = "Write an HTML report (inline SVG plots, opens offline) to this file." };

    public Option<string> ModelRepository { get; } = CommonOptions.ModelRepository();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
                 {
                     Model, ModelsFrom, ModelVersion, Scenario, LatencyBound, Qps, Streams, ReadingsPerSecond, Arrivals, FindPeak, Duration, MinQueryCount, Warmup, SamplesPerQuery,
                     Concurrency, Connections, Binary, SequencePerStream, Request, Keys, Seed, Json, Html, ModelRepository,
                 })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// The models of --models-from (null with --model), or the message to print before exiting with 2; <paramref name="targets"/>
    /// are the target specs (URLs or in-process; null for --no-op).
    /// </summary>
    public (IReadOnlyList<(string Model, FileInfo Request)>? Models, string? Problem) ReadModels(ParseResult parse, params string?[] targets)
    {
        var folder = parse.GetValue(ModelsFrom);
        var problem = (parse.GetValue(Model), folder) switch
        {
            (null, null) => "give --model MODEL, or --models-from DIR to spread the queries over many models",
            (not null, not null) => "--model and --models-from exclude each other: --models-from names the models by its request files",
            _ => null,
        };
        if (problem is not null || folder is null)
        {
            return (null, problem);
        }

        problem = parse.GetValue(Request) is not null ? "--models-from and --request exclude each other: each model's request is its file in the folder"
            : parse.GetValue(Keys) is not null ? "--models-from and --keys exclude each other"
            : parse.GetValue(SequencePerStream) ? "--models-from and --sequence-per-stream exclude each other"
            : parse.GetValue(ModelVersion) is not null ? "--models-from sends to each model's latest version: leave out --model-version"
            : parse.GetValue(Scenario) == "streams" ? "--models-from applies to the single-stream, multi-stream, server and offline scenarios, not streams"
            : targets.Any(t => t is null) ? "--models-from needs a target that answers (--url or --in-process), not --no-op"
            : targets.FirstOrDefault(t => t is not null && t.StartsWith("grpc", StringComparison.Ordinal)) is { } grpc
                ? $"--models-from works with http(s):// URLs and in-process, not '{grpc}'"
            : null;
        return problem is not null ? (null, problem) : Augur.Bench.Targets.ModelMix.ReadFolder(folder);
    }

    /// <summary>The model the reports name: --model, or "N models from DIR".</summary>
    public string ModelLabel(ParseResult parse, IReadOnlyList<(string Model, FileInfo Request)>? models) =>
        models is null ? parse.GetValue(Model)! : $"{models.Count} models from {parse.GetValue(ModelsFrom)!.FullName}";

    /// <summary>The key distribution of --keys (null without it), or the message to print before exiting with 2.</summary>
    public (ZipfDistribution? Keys, string? Problem) ReadKeys(ParseResult parse) =>
        parse.GetValue(Keys) is not { } text ? (null, null)
        : ZipfDistribution.TryParse(text, out var distribution, out var problem) ? (distribution, null)
        : (null, $"--keys {problem}");

    /// <summary>The HTTP connection limit: --connections, else 64, else for streams no limit (one connection per reading in flight at most).</summary>
    public int ConnectionLimit(ParseResult parse) =>
        parse.GetValue(Connections) ?? (parse.GetValue(Scenario) == "streams" ? int.MaxValue : 64);

    /// <summary>The scenario settings, or the message to print before exiting with 2.</summary>
    public (ScenarioSettings? Settings, string? Problem) Read(ParseResult parse)
    {
        var scenario = parse.GetValue(Scenario) switch
        {
            "single-stream" => Augur.Bench.Scenarios.Scenario.SingleStream,
            "multi-stream" => Augur.Bench.Scenarios.Scenario.MultiStream,
            "server" => Augur.Bench.Scenarios.Scenario.Server,
            "streams" => Augur.Bench.Scenarios.Scenario.Streams,
            _ => Augur.Bench.Scenarios.Scenario.Offline,
        };
        var isStreams = scenario == Augur.Bench.Scenarios.Scenario.Streams;
        if (!Durations.TryParse(parse.GetValue(Duration), out var duration) || duration <= TimeSpan.Zero)
        {
            return (null, $"--duration '{parse.GetValue(Duration)}' is not a positive duration such as 30s");
        }

        if (!Durations.TryParse(parse.GetValue(Warmup), out var warmup))
        {
            return (null, $"--warmup '{parse.GetValue(Warmup)}' is not a duration such as 2s");
        }

        var boundText = parse.GetValue(LatencyBound) ?? (isStreams ? "50ms" : "15ms");
        if (!Durations.TryParse(boundText, out var bound) || bound <= TimeSpan.Zero)
        {
            return (null, $"--latency-bound '{boundText}' is not a positive duration such as 15ms");
        }

        var (qps, findPeak, streams) = (parse.GetValue(Qps), parse.GetValue(FindPeak), parse.GetValue(Streams));
        var problem = scenario switch
        {
            Augur.Bench.Scenarios.Scenario.Streams when (streams is null) == !findPeak => "the streams scenario needs either --streams N or --find-peak",
            Augur.Bench.Scenarios.Scenario.Streams when streams is < 1 => "--streams must be at least 1",
            Augur.Bench.Scenarios.Scenario.Streams when qps is not null => "--qps applies to the server scenario only; streams use --streams and --readings-per-second",
            _ when parse.GetValue(ReadingsPerSecond) is <= 0 or > 1_000_000 => "--readings-per-second must be positive (at most 1,000,000)",
            not Augur.Bench.Scenarios.Scenario.Streams when streams is not null => "--streams applies to the streams scenario only",
            Augur.Bench.Scenarios.Scenario.Server when (qps is null) == !findPeak => "the server scenario needs either --qps N or --find-peak",
            Augur.Bench.Scenarios.Scenario.Server when qps is <= 0 => "--qps must be positive",
            not (Augur.Bench.Scenarios.Scenario.Server or Augur.Bench.Scenarios.Scenario.Streams) when qps is not null || findPeak => "--qps and --find-peak apply to the server (and --find-peak to the streams) scenario only",
            _ when parse.GetValue(SamplesPerQuery) is < 1 => "--samples-per-query must be at least 1",
            _ when parse.GetValue(Concurrency) < 1 || parse.GetValue(Connections) is < 1 => "--concurrency and --connections must be at least 1",
            _ when parse.GetValue(MinQueryCount) < 0 => "--min-query-count must not be negative",
            _ when parse.GetValue(Request) is { Exists: false } file => $"--request '{file.FullName}' does not exist",
            _ when parse.GetValue(Keys) is not null && parse.GetValue(Request) is not null => "--keys and --request exclude each other: keyed queries derive their inputs from the key",
            _ when parse.GetValue(Keys) is not null && parse.GetValue(SequencePerStream) => "--keys and --sequence-per-stream exclude each other",
            _ when parse.GetValue(Keys) is not null && scenario == Augur.Bench.Scenarios.Scenario.Streams => "--keys applies to the single-stream, multi-stream, server and offline scenarios, not streams",
            _ when parse.GetValue(Keys) is not null && (parse.GetValue(SamplesPerQuery) ?? (scenario is Augur.Bench.Scenarios.Scenario.MultiStream or Augur.Bench.Scenarios.Scenario.Offline ? 0 : 1)) != 1 =>
                "--keys sends one key, so one sample, per query: give --samples-per-query 1 (multi-stream and offline default to more)",
            _ => null,
        };
        if (problem is not null)
        {
            return (null, problem);
        }

        var settings = new ScenarioSettings(scenario)
        {
            TargetQps = qps ?? 100,
            LatencyBound = bound,
            MinDuration = duration,
            MinQueryCount = parse.GetValue(MinQueryCount),
            Warmup = warmup,
            Seed = parse.GetValue(Seed),
            OfflineConcurrency = parse.GetValue(Concurrency),
            Streams = streams ?? 1,
            ReadingsPerSecond = parse.GetValue(ReadingsPerSecond),
            Arrivals = parse.GetValue(Arrivals) == "poisson" ? StreamArrivals.Poisson : StreamArrivals.Fixed,
        };
        if (parse.GetValue(SamplesPerQuery) is { } samples)
        {
            settings = settings with { SamplesPerQuery = samples };
        }

        return (settings, null);
    }
}
