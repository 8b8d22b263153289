using System.CommandLine;
using System.Globalization;
using Augur.Bench.Keys;

namespace Augur.Cli.Commands.Bench;

/// <summary>
/// <c>augur bench keys</c>: writes the <c>augur batch</c> input that precomputes the most popular keys of
/// <c>augur bench --keys</c>: one JSON Lines row per key 0..top-1 with the inputs the bench sends for that key, keyed
/// by the column <c>prediction_key</c>.
/// </summary>
internal static class BenchKeysCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model whose inputs the rows hold.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The version whose metadata gives the inputs; default the latest ready one." };
        var top = new Option<int>("--top") { Description = "Write the keys 0 to N-1, the most popular ones of a Zipf distribution.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "The JSON Lines file to write (replaced if it exists).", Required = true };
        var url = new Option<string?>("--url") { Description = "Take the model's inputs from this server (http://, grpc://) instead of loading --model-repository in-process." };
        var keys = new Option<string?>("--keys") { Description = "Also print the share of this distribution's draws (zipf:S:N) that the written keys take." };
        var repository = CommonOptions.ModelRepository();
        var command = new Command("keys", "Write the batch-job input (JSON Lines, key column prediction_key) that precomputes the keys 0..N-1 of `augur bench --keys`, with the same inputs the bench sends.")
        {
            model, version, top, output, url, keys, repository,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = parse.GetValue(url) ?? BenchTargets.InProcess;
            ZipfDistribution? distribution = null;
            var problem = parse.GetValue(top) < 0 ? "--top must not be negative" : null;
            problem ??= BenchTargets.Check("--url", spec);
            problem ??= spec == BenchTargets.InProcess ? CommonOptions.CheckRepository(parse.GetValue(repository)!) : null;
            if (problem is null && parse.GetValue(keys) is { } text && !ZipfDistribution.TryParse(text, out distribution, out var keysProblem))
            {
                problem = $"--keys {keysProblem}";
            }

            if (problem is null && distribution is not null && parse.GetValue(top) > distribution.Count)
            {
                problem = $"--top {parse.GetValue(top)} is more keys than {distribution.Spec} has";
            }

            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var modelName = parse.GetValue(model)!;
            await using var target = await BenchTargets.CreateAsync(
                spec, modelName, parse.GetValue(version), binary: false, connections: 1, parse.GetValue(repository)!, cancellationToken).ConfigureAwait(false);
            var (inputs, error) = await target.GetInputsAsync(cancellationToken).ConfigureAwait(false);
            if (inputs is null)
            {
                await Console.Error.WriteLineAsync($"{target.Name}: {error}").ConfigureAwait(false);
                return 1;
            }

            var file = parse.GetValue(output)!;
            try
            {
                await using var stream = File.Create(file.FullName);
                await KeyedInputWriter.WriteJsonlAsync(stream, inputs, parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"--output '{file.FullName}': {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote keys 0..{parse.GetValue(top) - 1} of {modelName} to {file.FullName} (key column {KeyedInputWriter.KeyColumn})"));
            if (distribution is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"these keys take {distribution.TopShare(parse.GetValue(top)):P2} of {distribution.Spec} draws"));
            }

            return 0;
        });
        return command;
    }
}
