using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Augur.OpenLoop.Http;

/// <summary><c>augur-openloop http</c>: one open-loop run at a fixed rate, or a search for the highest rate within a p99 limit.</summary>
internal static class HttpCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server's base URL, e.g. http://127.0.0.1:8100.", Required = true };
        var model = new Option<string?>("--model") { Description = "The model; requests go to POST {url}/v2/models/{model}/infer." };
        var path = new Option<string?>("--path") { Description = "Post to {url}{path} instead of a model, e.g. /empty on the baseline." };
        var request = new Option<FileInfo>("--request") { Description = "A file holding the JSON request body.", Required = true };
        var qps = new Option<double?>("--qps") { Description = "Target rate in requests per second (Poisson arrivals)." };
        var search = new Option<bool>("--search") { Description = "Search for the highest rate whose p99 is within --max-p99-ms with no errors." };
        var duration = new Option<double>("--duration") { Description = "Measured seconds per run.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds at the same rate before each measured run.", DefaultValueFactory = _ => 2 };
        var maxP99 = new Option<double>("--max-p99-ms") { Description = "The p99 limit for --search, in ms.", DefaultValueFactory = _ => 15 };
        var connections = new Option<int>("--connections") { Description = "Most connections to the server.", DefaultValueFactory = _ => 64 };
        var maxOutstanding = new Option<int>("--max-outstanding") { Description = "Most requests in flight; arrivals beyond it count as errors.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the arrival schedule.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Also print the final result as one line of JSON, last." };
        var command = new Command("http", "Open-loop load over HTTP; latency from each request's scheduled send time.")
        {
            url, model, path, request, qps, search, duration, warmup, maxP99, connections, maxOutstanding, seed, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rate = parse.GetValue(qps);
            var problem = (rate, parse.GetValue(search)) switch
            {
                (null, false) or (not null, true) => "give either --qps Q or --search",
                _ when (parse.GetValue(model) is null) == (parse.GetValue(path) is null) => "give either --model M or --path PATH",
                (<= 0, _) => "--qps must be positive",
                _ when parse.GetValue(duration) <= 0 || parse.GetValue(warmup) < 0 => "--duration must be positive and --warmup not negative",
                _ when parse.GetValue(connections) < 1 || parse.GetValue(maxOutstanding) < 1 => "--connections and --max-outstanding must be at least 1",
                _ when !Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") => $"--url '{parse.GetValue(url)}' is not an http:// or https:// URL",
                _ when !parse.GetValue(request)!.Exists => $"--request '{parse.GetValue(request)!.FullName}' does not exist",
                _ => null,
            };
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var route = parse.GetValue(path) ?? $"/v2/models/{Uri.EscapeDataString(parse.GetValue(model)!)}/infer";
            var uri = new Uri($"{parse.GetValue(url)!.TrimEnd('/')}/{route.TrimStart('/')}");
            var body = await File.ReadAllBytesAsync(parse.GetValue(request)!.FullName, cancellationToken).ConfigureAwait(false);
            using var target = new HttpTarget(uri, body, parse.GetValue(connections));

            // One request first, so a wrong URL, model or body fails in a second with the server's answer.
            if (await target.SendAsync(cancellationToken).ConfigureAwait(false) is { } probeError)
            {
                await Console.Error.WriteLineAsync($"POST {uri} failed: {probeError}").ConfigureAwait(false);
                return 1;
            }

            Task<RunResult> Run(double q) => new OpenLoopRun(
                target, q, TimeSpan.FromSeconds(parse.GetValue(warmup)), TimeSpan.FromSeconds(parse.GetValue(duration)),
                parse.GetValue(seed), parse.GetValue(maxOutstanding), cancellationToken).ExecuteAsync();

            if (rate is { } fixedRate)
            {
                var result = await Run(fixedRate).ConfigureAwait(false);
                Console.WriteLine(result);
                ReportFirstError(result);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(result, Json));
                }

                return 0;
            }

            var steps = new List<RunResult>();
            var (maxQps, best) = await new QpsSearch(
                async q =>
                {
                    var result = await Run(q).ConfigureAwait(false);
                    steps.Add(result);
                    ReportFirstError(result);
                    return result;
                },
                parse.GetValue(maxP99),
                Console.Out).RunAsync().ConfigureAwait(false);
            var p99 = best?.P99Ms ?? double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max_qps={maxQps} p99_ms={p99:0.000}"));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { MaxQps = maxQps, P99Ms = p99, MaxP99Ms = parse.GetValue(maxP99), Steps = steps }, Json));
            }

            return 0;
        });
        return command;
    }

    private static void ReportFirstError(RunResult result)
    {
        if (result.FirstError is not null)
        {
            Console.Error.WriteLine($"first error: {result.FirstError}");
        }
    }
}
