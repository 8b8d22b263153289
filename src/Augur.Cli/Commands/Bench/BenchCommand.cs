using System.CommandLine;
using System.Globalization;
using Augur.Bench;
using Augur.Bench.Reporting;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;

namespace Augur.Cli.Commands.Bench;

/// <summary>
/// <c>augur bench</c>: MLPerf LoadGen scenarios against a server URL (Augur or any Open Inference Protocol server) or
/// the in-process engine; <c>augur bench compare</c>: two targets interleaved in one run, with the metric's ratio last.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var options = new BenchOptions();
        var url = new Option<string?>("--url") { Description = "A server's base URL: http://127.0.0.1:8000 (REST), grpc://127.0.0.1:8001 (gRPC unary) or grpc-stream://127.0.0.1:8001 (gRPC bidirectional streaming)." };
        var inProcess = new Option<bool>("--in-process") { Description = "Run the engine in this process, loading --model-repository." };
        var noOp = new Option<bool>("--no-op") { Description = "A target that answers at once: measures the generator's own overhead." };
        var command = new Command("bench", "Load-test a model with an MLPerf LoadGen scenario and report its metric.") { url, inProcess, noOp };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (settings, problem) = options.Read(parse);
            var (keys, keysProblem) = problem is null ? options.ReadKeys(parse) : (null, null);
            problem ??= keysProblem;
            var spec = parse.GetValue(inProcess) ? BenchTargets.InProcess : parse.GetValue(url);
            var targets = (parse.GetValue(url) is not null ? 1 : 0) + (parse.GetValue(inProcess) ? 1 : 0) + (parse.GetValue(noOp) ? 1 : 0);
            problem ??= targets != 1 ? "give exactly one of --url URL, --in-process or --no-op" : null;
            problem ??= spec is null && keys is not null ? "--keys needs a target that answers (--url or --in-process), not --no-op" : null;
            problem ??= spec is null ? null : BenchTargets.Check("--url", spec);
            problem ??= spec == BenchTargets.InProcess ? CommonOptions.CheckRepository(parse.GetValue(options.ModelRepository)!) : null;
            var (models, modelsProblem) = problem is null ? options.ReadModels(parse, spec) : (null, null);
            problem ??= modelsProblem;
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var model = options.ModelLabel(parse, models);
            var session = NewSession(settings!, parse.GetValue(options.FindPeak));
            BenchReport report;
            if (spec is null)
            {
                report = await BenchOutput.WithProgressAsync(session, "no-op", () => session.RunAsync("no-op", model, new NoOpTarget(), cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await using var target = await BenchTargets.CreateAsync(
                    spec, models?[0].Model ?? model, parse.GetValue(options.ModelVersion), parse.GetValue(options.Binary), options.ConnectionLimit(parse),
                    parse.GetValue(options.ModelRepository)!, cancellationToken).ConfigureAwait(false);
                var (prepared, error) = models is not null
                    ? await BenchTargets.PrepareMixAsync(target, models, parse.GetValue(options.Seed), settings!.SamplesPerQuery, cancellationToken).ConfigureAwait(false)
                    : await BenchTargets.PrepareAsync(target, parse.GetValue(options.Request), parse.GetValue(options.Seed), settings!.SamplesPerQuery, cancellationToken, parse.GetValue(options.SequencePerStream), keys).ConfigureAwait(false);
                if (prepared is null)
                {
                    await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                    return 1;
                }

                report = await BenchOutput.WithProgressAsync(session, target.Name, () => session.RunAsync(target.Name, model, prepared, cancellationToken)).ConfigureAwait(false);
            }

            Console.WriteLine(report.Summary());
            await BenchOutput.WriteFilesAsync(parse.GetValue(options.Json), parse.GetValue(options.Html), report, [report], null, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        command.Subcommands.Add(CreateCompare());
        command.Subcommands.Add(BenchKeysCommand.Create());
        return command;
    }

    private static Command CreateCompare()
    {
        var options = new BenchOptions();
        var a = new Option<string>("--a") { Description = "Target A: a base URL (http://, grpc://, grpc-stream://), or 'in-process'.", Required = true };
        var b = new Option<string>("--b") { Description = "Target B: a base URL (http://, grpc://, grpc-stream://), or 'in-process'.", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of A then B; each target's metric is its median. Default 3.", DefaultValueFactory = _ => 3 };
        var command = new Command("compare", "Run targets A and B interleaved in one run and print the ratio of the scenario's metric (A/B) last.") { a, b, rounds };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (settings, problem) = options.Read(parse);
            var (keys, keysProblem) = problem is null ? options.ReadKeys(parse) : (null, null);
            problem ??= keysProblem;
            var (specA, specB) = (parse.GetValue(a)!, parse.GetValue(b)!);
            problem ??= BenchTargets.Check("--a", specA) ?? BenchTargets.Check("--b", specB);
            problem ??= parse.GetValue(rounds) < 1 ? "--rounds must be at least 1" : null;
            problem ??= specA == BenchTargets.InProcess || specB == BenchTargets.InProcess ? CommonOptions.CheckRepository(parse.GetValue(options.ModelRepository)!) : null;
            var (models, modelsProblem) = problem is null ? options.ReadModels(parse, specA, specB) : (null, null);
            problem ??= modelsProblem;
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var model = options.ModelLabel(parse, models);
            async Task<IBenchTarget> Create(string spec) => await BenchTargets.CreateAsync(
                spec, models?[0].Model ?? model, parse.GetValue(options.ModelVersion), parse.GetValue(options.Binary), options.ConnectionLimit(parse),
                parse.GetValue(options.ModelRepository)!, cancellationToken).ConfigureAwait(false);
            await using var targetA = await Create(specA).ConfigureAwait(false);
            await using var targetB = await Create(specB).ConfigureAwait(false);
            var prepared = new List<ILoadTarget>();
            foreach (var target in new[] { targetA, targetB })
            {
                var (ready, error) = models is not null
                    ? await BenchTargets.PrepareMixAsync(target, models, parse.GetValue(options.Seed), settings!.SamplesPerQuery, cancellationToken).ConfigureAwait(false)
                    : await BenchTargets.PrepareAsync(target, parse.GetValue(options.Request), parse.GetValue(options.Seed), settings!.SamplesPerQuery, cancellationToken, parse.GetValue(options.SequencePerStream), keys).ConfigureAwait(false);
                if (ready is null)
                {
                    await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                    return 1;
                }

                prepared.Add(ready);
            }

            var session = NewSession(settings!, parse.GetValue(options.FindPeak));
            var (reportsA, reportsB) = (new List<BenchReport>(), new List<BenchReport>());
            for (var round = 1; round <= parse.GetValue(rounds); round++)
            {
                foreach (var (target, ready, reports, label) in new[] { (targetA, prepared[0], reportsA, "A"), (targetB, prepared[1], reportsB, "B") })
                {
                    var name = $"{label} {target.Name}";
                    var report = await BenchOutput.WithProgressAsync(session, $"round {round} {name}", () => session.RunAsync(name, model, ready, cancellationToken)).ConfigureAwait(false);
                    Console.WriteLine($"round {round}: {report.Summary()}");
                    reports.Add(report);
                }
            }

            var (medianA, medianB) = (Median(reportsA), Median(reportsB));
            var ratio = medianA.Value / medianB.Value;
            var line = string.Create(CultureInfo.InvariantCulture, $"ratio {medianA.Metric} A/B: {ratio:0.###}");
            var result = new { Metric = medianA.Metric, Ratio = ratio, A = medianA, B = medianB, RoundsA = reportsA, RoundsB = reportsB };
            await BenchOutput.WriteFilesAsync(parse.GetValue(options.Json), parse.GetValue(options.Html), result, [medianA, medianB], line, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"A: {medianA.Summary()}");
            Console.WriteLine($"B: {medianB.Summary()}");
            Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    private static BenchSession NewSession(ScenarioSettings settings, bool findPeak) =>
        new(SystemClock.Instance, settings, findPeak)
        {
            OnRun = result => Console.WriteLine(result),
        };

    /// <summary>The report whose metric is the median (the lower middle one for an even count).</summary>
    private static BenchReport Median(List<BenchReport> reports) => reports.OrderBy(r => r.Value).ElementAt((reports.Count - 1) / 2);
}
