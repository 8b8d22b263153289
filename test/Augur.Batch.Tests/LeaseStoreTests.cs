using Augur.Batch.Storage;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>
/// Shard leases in the store, run against SQLite and PostgreSQL. The database's clock decides expiry, so a lease is
/// made stale by moving its last heartbeat an hour back, never by waiting.
/// </summary>
public abstract class LeaseStoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly ShardIdentity Identity = new("job", 0, 1, "fraud", "in.csv", 3);

    /// <summary>A new, empty store.</summary>
    protected abstract Task<StoreLocation> CreateStoreAsync();

    [Fact]
    public async Task A_second_run_is_refused_while_the_holder_beats_and_is_told_who_holds_it()
    {
        var location = await CreateStoreAsync();
        await using var first = await PredictionStore.OpenAsync(location);
        await using var second = await PredictionStore.OpenAsync(location);

        var held = await first.TryAcquireLeaseAsync("job", 0, "host-a:1", Lease);
        var refused = await second.TryAcquireLeaseAsync("job", 0, "host-b:2", TimeSpan.FromSeconds(5));

        Assert.True(held.Acquired);
        Assert.Null(held.TakenOverFrom);
        Assert.Equal(("job", 0, "host-a:1", Lease), (held.Lease.JobId, held.Lease.Shard, held.Lease.Holder, held.Lease.Timeout));
        Assert.False(refused.Acquired);
        Assert.Equal(("host-a:1", Lease, false), (refused.HeldBy.Holder, refused.HeldBy.Timeout, refused.HeldBy.Expired));
        Assert.InRange(refused.HeldBy.SinceLastBeat, TimeSpan.Zero, Lease);
        Assert.StartsWith($"host-a:1, last beat {PredictionStore.Format(refused.HeldBy.LastBeatAt)} (", refused.HeldBy.Describe(), StringComparison.Ordinal);
        Assert.EndsWith(" ago, lease timeout 30 s)", refused.HeldBy.Describe(), StringComparison.Ordinal);
        Assert.True((await second.TryAcquireLeaseAsync("job", 1, "host-b:2", Lease)).Acquired); // another shard is another lease
        Assert.True((await second.TryAcquireLeaseAsync("other-job", 0, "host-b:2", Lease)).Acquired);
    }

    [Fact]
    public async Task Renewing_keeps_the_lease_fresh_and_only_its_holder_can_renew_it()
    {
        var location = await CreateStoreAsync();
        await using var store = await PredictionStore.OpenAsync(location);
        var lease = (await store.TryAcquireLeaseAsync("job", 0, "host-a:1", Lease)).Lease!;
        await AgeLeaseAsync(location, "job");
        Assert.True((await store.GetLeaseAsync("job", 0))!.Expired);

        Assert.True(await store.RenewLeaseAsync(lease));

        Assert.False((await store.GetLeaseAsync("job", 0))!.Expired);
        Assert.False((await store.TryAcquireLeaseAsync("job", 0, "host-b:2", Lease)).Acquired);
        Assert.False(await store.RenewLeaseAsync(lease with { Token = "forged" }));
        Assert.False(await store.ReleaseLeaseAsync(lease with { Token = "forged" }));
        Assert.Equal("host-a:1", (await store.GetLeaseAsync("job", 0))!.Holder);
    }

    [Fact]
    public async Task A_lease_whose_holder_stopped_beating_is_taken_over_and_the_old_holder_can_commit_renew_and_finish_nothing()
    {
        var location = await CreateStoreAsync();
        await using var stalled = await PredictionStore.OpenAsync(location);
        await using var taker = await PredictionStore.OpenAsync(location);
        var old = (await stalled.TryAcquireLeaseAsync("job", 0, "host-a:1", Lease)).Lease!;
        await stalled.BeginShardAsync(Identity, DateTimeOffset.UnixEpoch);
        Assert.True(await stalled.CommitChunkAsync(old, "fraud", Chunk(0), DateTimeOffset.UnixEpoch));
        await AgeLeaseAsync(location, "job");

        var takeover = await taker.TryAcquireLeaseAsync("job", 0, "host-b:2", Lease);

        Assert.True(takeover.Acquired);
        Assert.Equal(("host-a:1", true), (takeover.TakenOverFrom!.Holder, takeover.TakenOverFrom.Expired));
        Assert.False(await stalled.CommitChunkAsync(old, "fraud", Chunk(1), DateTimeOffset.UnixEpoch));
        Assert.False(await stalled.RenewLeaseAsync(old));
        Assert.False(await stalled.FinishShardAsync(old, "failed", "late", DateTimeOffset.UnixEpoch));
        Assert.Equal(new long[] { 0, 1, 2 }, await RowIdsAsync(location, "job"));
        var status = Assert.Single(await taker.GetJobAsync("job"));
        Assert.Equal(("running", 3L, 1L, "host-b:2"), (status.State, status.RowsWritten, status.ChunksCommitted, status.Lease!.Holder));

        Assert.True(await taker.CommitChunkAsync(takeover.Lease, "fraud", Chunk(1), DateTimeOffset.UnixEpoch));
        Assert.True(await taker.FinishShardAsync(takeover.Lease, "completed", null, DateTimeOffset.UnixEpoch));

        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, await RowIdsAsync(location, "job"));
        status = Assert.Single(await taker.GetJobAsync("job"));
        Assert.Equal(("completed", 6L, 2L, null), (status.State, status.RowsWritten, status.ChunksCommitted, status.Lease));
        Assert.Null(await taker.GetLeaseAsync("job", 0));
    }

    [Fact]
    public async Task Of_runs_racing_to_take_over_an_expired_lease_exactly_one_wins()
    {
        var location = await CreateStoreAsync();
        await using (var stalled = await PredictionStore.OpenAsync(location))
        {
            Assert.True((await stalled.TryAcquireLeaseAsync("job", 0, "host-a:1", Lease)).Acquired);
        }

        await AgeLeaseAsync(location, "job");
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PredictionStore.OpenAsync(location)));
        try
        {
            var attempts = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.TryAcquireLeaseAsync("job", 0, $"taker:{i}", Lease))));

            var winner = Assert.Single(attempts, a => a.Acquired);
            Assert.Equal("host-a:1", winner.TakenOverFrom!.Holder);
            Assert.All(attempts.Where(a => !a.Acquired), a => Assert.Equal((winner.Lease!.Holder, false), (a.HeldBy!.Holder, a.HeldBy.Expired)));
            Assert.Equal(winner.Lease!.Holder, (await stores[0].GetLeaseAsync("job", 0))!.Holder);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_released_lease_lets_the_next_run_start_at_once_and_status_shows_the_holder_until_then()
    {
        var location = await CreateStoreAsync();
        await using var store = await PredictionStore.OpenAsync(location);
        var lease = (await store.TryAcquireLeaseAsync("job", 0, "host-a:1", Lease)).Lease!;
        await store.BeginShardAsync(Identity, DateTimeOffset.UnixEpoch);
        var held = Assert.Single(await store.GetJobAsync("job")).Lease;
        Assert.Equal(("host-a:1", Lease, false), (held!.Holder, held.Timeout, held.Expired));

        Assert.True(await store.ReleaseLeaseAsync(lease));

        Assert.Null(Assert.Single(await store.GetJobAsync("job")).Lease);
        var next = await store.TryAcquireLeaseAsync("job", 0, "host-b:2", Lease);
        Assert.True(next.Acquired);
        Assert.Null(next.TakenOverFrom);
    }

    private static ChunkResult Chunk(long index) =>
        new(index, Enumerable.Range(0, 3).Select(i => new PredictedRow((index * 3) + i, $"k{(index * 3) + i}", "{}", """{"probability":[0.5]}""", "1")).ToArray(), []);
}

/// <summary><see cref="LeaseStoreTests"/> on a SQLite file.</summary>
public sealed class SqliteLeaseStoreTests : LeaseStoreTests, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<StoreLocation> CreateStoreAsync() => Task.FromResult(Store(_folder.File($"{Guid.NewGuid():N}.db")));

    public void Dispose() => _folder.Dispose();
}

/// <summary><see cref="LeaseStoreTests"/> on the test PostgreSQL server.</summary>
public sealed class PostgresLeaseStoreTests(PostgresServer postgres) : LeaseStoreTests, IClassFixture<PostgresServer>
{
    protected override async Task<StoreLocation> CreateStoreAsync() => Store(await postgres.CreateDatabaseAsync($"lease_{Guid.NewGuid():N}"));
}
