using System.CommandLine;
using Augur.Batch.Input;

namespace Augur.Cli.Commands.Batch;

/// <summary><c>augur batch sample-input</c>: writes a synthetic Parquet input (id, features list) for benchmarks and trials.</summary>
internal static class SampleInputCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output") { Description = "The Parquet file to write.", Required = true };
        var rows = new Option<long>("--rows") { Description = "Rows to write. Default 1000000.", DefaultValueFactory = _ => 1_000_000 };
        var features = new Option<int>("--features") { Description = "Floats per row in the 'features' list column. Default 256 (the ranker sample).", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--seed") { Description = "Random seed. Default 1.", DefaultValueFactory = _ => 1 };
        var command = new Command("sample-input", "Write a synthetic Parquet input: id (INT64) and features (list of FP32, uniform in [-1, 1)).") { output, rows, features, seed };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(rows) < 0 || parse.GetValue(features) < 1)
            {
                await Console.Error.WriteLineAsync("--rows must be ≥ 0 and --features ≥ 1").ConfigureAwait(false);
                return 2;
            }

            await SampleParquet.WriteAsync(parse.GetValue(output)!, parse.GetValue(rows), parse.GetValue(features), parse.GetValue(seed), cancellationToken: cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"wrote {parse.GetValue(rows)} rows of {parse.GetValue(features)} features to {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}
