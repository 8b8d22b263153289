using System.CommandLine;
using Augur.Batch.Storage;

namespace Augur.Cli.Commands.Batch;

/// <summary><c>augur batch status JOB --output DB</c>: each shard's state, counts and lease (holder, last beat), and the first bad rows.</summary>
internal static class BatchStatusCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "The job id." };
        var output = BatchCommand.StoreOption();
        var errors = new Option<int>("--errors") { Description = "How many bad rows to list. Default 10.", DefaultValueFactory = _ => 10 };
        var command = new Command("status", "Show a batch job's shards (state, rows written, bad rows, the run holding each) and its first bad rows. Exit 0, or 1 for an unknown job.") { job, output, errors };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await BatchCommand.OpenStoreAsync(parse.GetValue(output)!, "--output", cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                return 2;
            }

            var id = parse.GetValue(job)!;
            var shards = await store.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
            if (shards.Count == 0)
            {
                await Console.Error.WriteLineAsync($"no job '{id}' in {store.Location.Display}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"job {id}: model {shards[0].Model}, input {shards[0].Input}");
            foreach (var s in shards)
            {
                Console.WriteLine($"  shard {s.Shard}/{s.ShardCount}: {s.State}, rows written {s.RowsWritten}, bad rows {s.RowsFailed}, chunks {s.ChunksCommitted}, started {s.StartedAt}, updated {s.UpdatedAt}" +
                    (s.Message is null ? string.Empty : $" ({s.Message})"));
                if (s.Lease is { } lease)
                {
                    Console.WriteLine($"    lease: {(lease.Expired ? "expired (the next run takes it over), was held by" : "held by")} {lease.Describe()}, since {PredictionStore.Format(lease.AcquiredAt)}");
                }
            }

            Console.WriteLine($"  total: rows written {shards.Sum(s => s.RowsWritten)}, bad rows {shards.Sum(s => s.RowsFailed)}, shards {shards.Count} of {shards[0].ShardCount}");
            foreach (var e in await store.GetErrorsAsync(id, Math.Max(0, parse.GetValue(errors)), cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine($"  bad row {e.RowId}{(e.Key is null ? string.Empty : $" (key {e.Key})")}: {e.Reason}");
            }

            return 0;
        });
        return command;
    }
}
