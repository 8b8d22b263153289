using System.CommandLine;
using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using StackExchange.Redis;

namespace Augur.Cli.Commands.Batch;

/// <summary>
/// <c>augur predictions get --output DB --model M --key K</c>: the newest stored prediction for a key, as JSON.
/// <c>augur predictions publish --output DB --job J --to redis://…</c>: copies a finished job's predictions to Redis.
/// </summary>
internal static class PredictionsCommand
{
    // Predictions read from the store and written to Redis per round trip.
    private const int PageSize = 1000;

    public static Command Create()
    {
        var output = BatchCommand.StoreOption();
        var model = new Option<string>("--model") { Description = "The model.", Required = true };
        var key = new Option<string>("--key") { Description = "The row key (the job's --key-column value, or the row id).", Required = true };
        var get = new Command("get", "Print the newest stored prediction of a model for a key as JSON. Exit 0, 1 when there is none, 2 for bad options.") { output, model, key };
        get.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await BatchCommand.OpenStoreAsync(parse.GetValue(output)!, "--output", cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                return 2;
            }

            var prediction = await store.GetPredictionAsync(parse.GetValue(model)!, parse.GetValue(key)!, cancellationToken).ConfigureAwait(false);
            if (prediction is null)
            {
                await Console.Error.WriteLineAsync($"no prediction of model '{parse.GetValue(model)}' for key '{parse.GetValue(key)}'").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(PredictionJson.Write(prediction));
            return 0;
        });
        return new Command("predictions", "Read predictions stored by `augur batch`, or publish a job's to Redis.") { get, CreatePublish() };
    }

    private static Command CreatePublish()
    {
        var output = BatchCommand.StoreOption();
        var job = new Option<string>("--job") { Description = "The finished job whose predictions to publish (its --job-id; see `augur batch status`).", Required = true };
        var to = new Option<string>("--to") { Description = "The Redis server: redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock.", Required = true };
        var ttl = new Option<long>("--ttl") { Description = "Seconds after which Redis drops a published key. Default 0: never." };
        var publish = new Command("publish",
            "Copy the predictions of a finished job to Redis, for precomputed serving with a redis:// source. A key's stored prediction of the same version is " +
            "replaced only by a newer one, so publishing again (or an older job) changes nothing. Exit 0, 1 when a store fails, 2 for bad options or a job that is not finished.")
        {
            output, job, to, ttl,
        };
        publish.SetAction(async (parse, cancellationToken) =>
        {
            var jobId = parse.GetValue(job)!;
            if (parse.GetValue(ttl) is var seconds && seconds < 0)
            {
                await Console.Error.WriteLineAsync($"--ttl: {seconds} is not a number of seconds ≥ 0").ConfigureAwait(false);
                return 2;
            }

            if (!RedisLocation.TryParse(parse.GetValue(to)!, out var configuration, out var problem))
            {
                await Console.Error.WriteLineAsync($"--to: {problem}").ConfigureAwait(false);
                return 2;
            }

            await using var store = await BatchCommand.OpenStoreAsync(parse.GetValue(output)!, "--output", cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                return 2;
            }

            if (await CheckFinishedAsync(store, jobId, cancellationToken).ConfigureAwait(false) is { } notFinished)
            {
                await Console.Error.WriteLineAsync(notFinished).ConfigureAwait(false);
                return 2;
            }

            var target = RedisLocation.Redact(parse.GetValue(to)!);
            await using var redis = new RedisPredictionStore(configuration, target);
            var (read, written, after) = (0L, 0L, -1L);
            try
            {
                while (true)
                {
                    var page = await store.GetJobPredictionsAsync(jobId, after, PageSize, cancellationToken).ConfigureAwait(false);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    written += await redis.PublishAsync(page, TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
                    read += page.Count;
                    after = page[^1].RowId;
                }
            }
            catch (Exception ex) when (ex is RedisException or System.Data.Common.DbException)
            {
                await Console.Error.WriteLineAsync($"publishing job '{jobId}' to {target} failed after {read} predictions: {ex.Message}. Run the same command again: it skips what was published.").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"Published job '{jobId}' to {target}: {read} predictions, {written} written, {read - written} already there or newer.");
            return 0;
        });
        return publish;
    }

    /// <summary>Null when every shard of the job has finished; otherwise why it cannot be published yet.</summary>
    private static async Task<string?> CheckFinishedAsync(PredictionStore store, string jobId, CancellationToken cancellationToken)
    {
        var shards = await store.GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (shards.Count == 0)
        {
            return $"--job: the store has no job '{jobId}' (see `augur batch status`)";
        }

        if (shards.FirstOrDefault(s => s.State is not ("completed" or "completed_with_errors")) is { } open)
        {
            return $"--job: job '{jobId}' shard {open.Shard} is {open.State}; publish a finished job (run the job to completion first)";
        }

        return shards.Count < shards[0].ShardCount
            ? $"--job: job '{jobId}' has run {shards.Count} of its {shards[0].ShardCount} shards; publish it once every shard has finished"
            : null;
    }
}
