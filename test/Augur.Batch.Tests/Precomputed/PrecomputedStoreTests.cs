using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using Augur.Streams.Tests;
using static Augur.Batch.Tests.Precomputed.PrecomputedEngine;

namespace Augur.Batch.Tests.Precomputed;

/// <summary>Rows stored as a job commits them: one shard per job, its rows in one chunk.</summary>
internal static class JobRows
{
    public static async Task CommitAsync(string source, StoredPrediction[] rows)
    {
        await using var store = await PredictionStore.OpenAsync(BatchHarness.Store(source)).WaitAsync(BatchHarness.Timeout);
        foreach (var job in rows.GroupBy(r => r.JobId))
        {
            var lease = (await store.TryAcquireLeaseAsync(job.Key, 0, "test", TimeSpan.FromMinutes(1))).Lease!;
            await store.BeginShardAsync(new ShardIdentity(job.Key, 0, 1, job.First().Model, "in.csv", 100), Start);
            foreach (var chunk in job.GroupBy(r => r.CreatedAt))
            {
                // A chunk's rows share their commit time, which the store takes as their created_at.
                var predicted = chunk.Select(r => new PredictedRow(r.RowId, r.Key, r.InputsJson, r.OutputsJson, r.ModelVersion)).ToArray();
                Assert.True(await store.CommitChunkAsync(lease, chunk.First().Model, new ChunkResult(chunk.First().RowId, predicted, []), DateTimeOffset.Parse(chunk.Key, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }
}

public sealed class SqlitePrecomputedStoreTests : PrecomputedStoreContract, IDisposable
{
    private readonly BatchHarness.TempFolder _folder = new();

    protected override Task<string> NewSourceAsync() => Task.FromResult(_folder.File($"{Guid.NewGuid():N}.db"));

    // A file in a folder that does not exist: SQLite cannot create it.
    protected override Task<string> DownSourceAsync() => Task.FromResult(Path.Combine(_folder.Path, "missing", "predictions.db"));

    protected override Task FillAsync(string source, params StoredPrediction[] rows) => JobRows.CommitAsync(source, rows);

    [Fact]
    public async Task A_relative_path_is_the_model_folders_and_a_file_made_after_start_up_is_read_once_it_exists()
    {
        var model = NewModel();
        string? folder = null;
        await using var serving = await StartAsync(model, "predictions.db", beforeLoad: f => folder = f);
        var file = Path.Combine(folder!, "predictions.db");

        await JobRows.CommitAsync(file, [Row(model, "k", "1", Start, 42)]);

        Assert.Equal((Augur.Inference.PredictionSources.Precomputed, 42f, "1"), await serving.InferAsync(Request(model, "k", 5)));
    }

    [Fact]
    public async Task A_store_that_was_down_at_the_first_lookup_is_opened_by_a_later_one()
    {
        var missing = Path.Combine(_folder.Path, "later");
        var source = Path.Combine(missing, "predictions.db");
        await using var store = PrecomputedStores.Open(source);
        var query = new Augur.Precomputed.PrecomputedQuery("m", "k") { Version = "1" };

        await Assert.ThrowsAsync<Augur.Precomputed.PrecomputedStoreException>(() => store.FindAsync(query, CancellationToken.None).AsTask());
        Directory.CreateDirectory(missing);

        Assert.Null(await store.FindAsync(query, CancellationToken.None));
        Assert.True(File.Exists(source));
    }

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresPrecomputedStoreTests(PostgresServer postgres) : PrecomputedStoreContract, IClassFixture<PostgresServer>
{
    protected override Task<string> NewSourceAsync() => postgres.CreateDatabaseAsync("p" + Guid.NewGuid().ToString("N"));

    // The server is up; the database is not there, so every connection is refused.
    protected override Task<string> DownSourceAsync() => Task.FromResult($"postgres://postgres@127.0.0.1:{postgres.Port}/no_such_database");

    protected override Task FillAsync(string source, params StoredPrediction[] rows) => JobRows.CommitAsync(source, rows);
}

public sealed class RedisPrecomputedStoreTests(RedisServer redis) : PrecomputedStoreContract, IClassFixture<RedisServer>
{
    protected override Task<string> NewSourceAsync() => Task.FromResult("unix://" + redis.SocketPath);

    // A socket path nobody listens on.
    protected override Task<string> DownSourceAsync() => Task.FromResult("unix://" + Path.Combine(Path.GetDirectoryName(redis.SocketPath)!, "nobody.sock"));

    protected override async Task FillAsync(string source, params StoredPrediction[] rows)
    {
        await using var store = (RedisPredictionStore)PrecomputedStores.Open(source);
        await store.PublishAsync(rows, TimeSpan.Zero).WaitAsync(BatchHarness.Timeout);
    }

    [Fact]
    public async Task Publishing_keeps_the_newer_prediction_of_each_version_so_publishing_again_changes_nothing()
    {
        var model = NewModel();
        await using var store = (RedisPredictionStore)PrecomputedStores.Open("unix://" + redis.SocketPath);
        StoredPrediction[] job = [Row(model, "a", "1", Start, 1), Row(model, "b", "1", Start, 2, row: 1)];

        Assert.Equal(2, await store.PublishAsync(job, TimeSpan.Zero));
        Assert.Equal(0, await store.PublishAsync(job, TimeSpan.Zero));
        Assert.Equal(0, await store.PublishAsync([Row(model, "a", "1", Start.AddSeconds(-1), 9, job: "older")], TimeSpan.Zero));
        Assert.Equal(1, await store.PublishAsync([Row(model, "a", "1", Start.AddSeconds(1), 8, job: "newer"), Row(model, "a", "1", Start.AddSeconds(1), 8, job: "newer")], TimeSpan.Zero));
        Assert.Equal(1, await store.PublishAsync([Row(model, "a", "2", Start.AddSeconds(-5), 7, job: "v2")], TimeSpan.Zero));

        var hash = await redis.Db.HashGetAllAsync(RedisPredictionStore.KeyOf(model, "a"));
        Assert.Equal(["1", "2"], hash.Select(e => e.Name.ToString()).Order(StringComparer.Ordinal));
        Assert.Contains("\"job_id\":\"newer\"", hash.Single(e => e.Name == "1").Value.ToString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, (await redis.Db.KeyTimeToLiveAsync(RedisPredictionStore.KeyOf(model, "a"))) ?? TimeSpan.Zero);
    }

    [Fact]
    public async Task A_time_to_live_makes_published_keys_expire()
    {
        var model = NewModel();
        await using var store = (RedisPredictionStore)PrecomputedStores.Open("unix://" + redis.SocketPath);

        await store.PublishAsync([Row(model, "a", "1", Start, 1)], TimeSpan.FromHours(1));

        var ttl = await redis.Db.KeyTimeToLiveAsync(RedisPredictionStore.KeyOf(model, "a"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }
}
