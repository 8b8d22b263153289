using System.CommandLine;
using System.Runtime.InteropServices;
using Augur.Batch;
using Augur.Bench.Timing;
using Augur.Batch.Input;
using Augur.Batch.Storage;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands.Batch;

/// <summary>
/// <c>augur batch</c>: predict every row of a file or query into a database, resumably; <c>augur batch status</c>.
/// Exit codes are <see cref="BatchExitCode"/>: 0 completed, 1 failed (re-run resumes), 2 usage error,
/// 3 completed with bad rows, 4 more bad rows than --max-errors, 5 another run holds the shard, 130 cancelled (re-run resumes).
/// </summary>
internal static class BatchCommand
{
    public static Command Create()
    {
        var repository = CommonOptions.ModelRepository();
        var threads = CommonOptions.IntraOpThreads();
        var model = new Option<string>("--model") { Description = "The model to run.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The model version. Default: the highest ready version." };
        var input = new Option<string>("--input") { Description = "A .csv, .jsonl/.ndjson or .parquet file, or a SQL query (SELECT ... ORDER BY a unique key).", Required = true };
        var format = new Option<InputFormat>("--format") { Description = "The input format. Default: from the file extension.", DefaultValueFactory = _ => InputFormat.Auto };
        var inputDb = new Option<string?>("--input-db") { Description = "The database a SQL input runs against (SQLite file or postgres:// URI). Default: --output." };
        var output = StoreOption();
        var jobId = new Option<string?>("--job-id") { Description = "The job id; re-running with the same id resumes. Default: derived from model, input and shard count." };
        var shard = new Option<string>("--shard") { Description = "This process's shard, i/N (0-based): it takes the rows whose id modulo N is i. Default 0/1.", DefaultValueFactory = _ => "0/1" };
        var map = new Option<string[]>("--map") { Description = "INPUT=COLUMNS: fill an input from one column, a list (a,b,c) or a range in header order (f0..f29). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var mapping = new Option<string?>("--mapping") { Description = "A JSON file of input name to column(s), e.g. {\"features\": \"f0..f29\"}." };
        var key = new Option<string?>("--key-column") { Description = "The column holding each row's key for retrieval. Default: the row id." };
        var include = new Option<string[]>("--include") { Description = "Input columns to store with each prediction. Repeatable or comma-separated." };
        var chunk = new Option<int>("--chunk-size") { Description = "Rows per committed chunk (the checkpoint unit). Default 2048.", DefaultValueFactory = _ => 2048 };
        var concurrency = new Option<int>("--concurrency") { Description = "Chunks predicted at once. Default: the processor count, at least 2.", DefaultValueFactory = _ => Math.Max(2, Environment.ProcessorCount) };
        var maxErrors = new Option<long>("--max-errors") { Description = "Bad rows tolerated before the job stops with exit code 4; -1 for no limit. Default 1000.", DefaultValueFactory = _ => 1000 };
        var leaseTimeout = new Option<string>("--lease-timeout")
        {
            Description = "How long this run's hold on its shard lives without a heartbeat (e.g. 30s, 2m); another run of the shard takes it over only after that. Default 30s.",
            DefaultValueFactory = _ => "30s",
        };
        var heartbeat = new Option<string?>("--heartbeat-interval") { Description = "How often the shard's lease is renewed. Default: a third of --lease-timeout." };
        var command = new Command("batch", "Predict every row of a CSV, JSONL or Parquet file or a SQL query into SQLite or PostgreSQL, resumably. " +
            "Exit codes: 0 completed, 1 failed (re-run resumes), 2 usage error, 3 completed with bad rows, 4 too many bad rows, 5 another run holds the shard, " +
            "130 cancelled (re-run resumes).")
        {
            repository, threads, model, version, input, format, inputDb, output, jobId, shard, map, mapping, key, include, chunk, concurrency, maxErrors, leaseTimeout, heartbeat,
            BatchStatusCommand.Create(),
            SampleInputCommand.Create(),
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            StoreLocation? store = null;
            var (shardIndex, shardCount) = (0, 1);
            var problem = CommonOptions.CheckRepository(parse.GetValue(repository)!) ?? CheckStore(parse.GetValue(output)!, out store);
            StoreLocation? queryDb = null;
            if (problem is null && parse.GetValue(inputDb) is { } db)
            {
                problem = StoreLocation.TryParse(db, out var parsed, out var dbProblem) ? null : $"--input-db: {dbProblem}";
                queryDb = parsed;
            }

            if (problem is null && !TryParseShard(parse.GetValue(shard)!, out shardIndex, out shardCount))
            {
                problem = $"--shard '{parse.GetValue(shard)}' is not i/N (e.g. 0/4)";
            }

            var lease = TimeSpan.Zero;
            TimeSpan? beat = null;
            if (problem is null && !Durations.TryParse(parse.GetValue(leaseTimeout), out lease))
            {
                problem = $"--lease-timeout '{parse.GetValue(leaseTimeout)}' is not a duration (e.g. 30s, 2m)";
            }

            if (problem is null && parse.GetValue(heartbeat) is { } beatText)
            {
                problem = Durations.TryParse(beatText, out var parsedBeat) ? null : $"--heartbeat-interval '{beatText}' is not a duration (e.g. 10s)";
                beat = parsedBeat;
            }

            if (problem is not null)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return (int)BatchExitCode.UsageError;
            }

            var options = new BatchJobOptions
            {
                Model = parse.GetValue(model)!,
                ModelVersion = parse.GetValue(version),
                Input = parse.GetValue(input)!,
                Format = parse.GetValue(format),
                InputDatabase = queryDb,
                Output = store!,
                JobId = parse.GetValue(jobId),
                ShardIndex = shardIndex,
                ShardCount = shardCount,
                Map = parse.GetValue(map) ?? [],
                MappingFile = parse.GetValue(mapping),
                KeyColumn = parse.GetValue(key),
                IncludeColumns = (parse.GetValue(include) ?? []).SelectMany(c => c.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray(),
                ChunkSize = parse.GetValue(chunk),
                Concurrency = parse.GetValue(concurrency),
                MaxErrors = parse.GetValue(maxErrors),
                LeaseTimeout = lease,
                HeartbeatInterval = beat,
                CountRows = BatchProgressView.Interactive,
            };
            try
            {
                options.Validate();
            }
            catch (BatchJobException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return (int)ex.ExitCode;
            }

            using var loggerFactory = CommonOptions.ConsoleLogging(LogLevel.Warning);
            await using var engine = await CommonOptions.BuildEngineAsync(parse.GetValue(repository)!, parse.GetValue(threads), loggerFactory, CancellationToken.None).ConfigureAwait(false);
            var job = new BatchJob(engine, options);
            // Ctrl+C and SIGTERM (a container stop) stop reading; the chunks in flight commit and the job exits 130.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            var result = await BatchProgressView.RunAsync(job, stop.Token).ConfigureAwait(false);
            BatchProgressView.PrintSummary(result, options);
            return (int)result.ExitCode;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    public static Option<string> StoreOption() => new("--output")
    {
        Description = "The prediction store: a SQLite file (created if absent) or a postgres://user:password@host:port/database URI.",
        Required = true,
    };

    public static string? CheckStore(string text, out StoreLocation? location)
    {
        var ok = StoreLocation.TryParse(text, out var parsed, out var problem);
        location = ok ? parsed : null;
        return ok ? null : $"--output: {problem}";
    }

    /// <summary>Opens the store, or prints why it cannot be opened (unreachable server, unwritable path) and returns null.</summary>
    public static async Task<PredictionStore?> TryOpenStoreAsync(StoreLocation location, string option, CancellationToken cancellationToken)
    {
        try
        {
            return await PredictionStore.OpenAsync(location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"{option}: cannot open '{location.Display}': {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Parses and opens the store an option names, or prints why it cannot (a bad location, an unreachable server, an
    /// unwritable path) and returns null.
    /// </summary>
    public static async Task<PredictionStore?> OpenStoreAsync(string text, string option, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(text, out var location, out var problem))
        {
            await Console.Error.WriteLineAsync($"{option}: {problem}").ConfigureAwait(false);
            return null;
        }

        return await TryOpenStoreAsync(location, option, cancellationToken).ConfigureAwait(false);
    }

    public static bool TryParseShard(string text, out int index, out int count)
    {
        index = 0;
        count = 0;
        var parts = text.Split('/');
        return parts.Length == 2 && int.TryParse(parts[0], out index) && int.TryParse(parts[1], out count) && count >= 1 && index >= 0 && index < count;
    }
}
