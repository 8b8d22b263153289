using System.Data.Common;

namespace Augur.Batch.Storage;

/// <summary>
/// Shard leases: one run per (job, shard) at a time. Every step is one transaction whose condition the database
/// checks against its own clock: acquiring inserts the lease or takes over one whose holder stopped beating for
/// longer than its timeout, so of two runs racing for an expired lease exactly one wins; a renewal or a chunk commit
/// succeeds only while the row still carries this run's token.
/// </summary>
public sealed partial class PredictionStore
{
    /// <summary>
    /// Takes the lease of <paramref name="jobId"/>'s shard <paramref name="shard"/> for <paramref name="holder"/>: when
    /// nobody holds it, or its holder has not beaten for longer than its own timeout (then <see cref="LeaseAcquisition.TakenOverFrom"/>
    /// names that holder). When a live run holds it, nothing changes and <see cref="LeaseAcquisition.HeldBy"/> names it.
    /// </summary>
    public async Task<LeaseAcquisition> TryAcquireLeaseAsync(string jobId, int shard, string holder, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var lease = new ShardLease(jobId, shard, holder, Guid.NewGuid().ToString("N"), timeout);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // On PostgreSQL FOR UPDATE makes a racing taker wait here, then read the winner's lease; SQLite's write
            // transaction already excludes every other writer.
            var previous = await ReadLeaseAsync(connection, transaction, jobId, shard, Location.Kind == StoreKind.Postgres ? " FOR UPDATE" : string.Empty, cancellationToken).ConfigureAwait(false);
            var now = StoreSchema.Now(Location.Kind);
            await using var upsert = Command(connection, transaction,
                $"INSERT INTO {StoreSchema.Leases} (job_id, shard, holder, token, timeout_ms, acquired_ms, heartbeat_ms) VALUES (@job, @shard, @holder, @token, @timeout, {now}, {now}) " +
                "ON CONFLICT (job_id, shard) DO UPDATE SET holder = excluded.holder, token = excluded.token, timeout_ms = excluded.timeout_ms, " +
                "acquired_ms = excluded.acquired_ms, heartbeat_ms = excluded.heartbeat_ms " +
                $"WHERE {StoreSchema.Leases}.heartbeat_ms + {StoreSchema.Leases}.timeout_ms < excluded.heartbeat_ms",
                ("job", jobId), ("shard", shard), ("holder", holder), ("token", lease.Token), ("timeout", (long)timeout.TotalMilliseconds));
            var acquired = await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            if (!acquired)
            {
                // A run that inserted the lease after the read above is the holder: read it again.
                previous ??= await ReadLeaseAsync(connection, transaction, jobId, shard, string.Empty, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return acquired ? new LeaseAcquisition(lease, null, previous) : new LeaseAcquisition(null, previous, null);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The heartbeat: renews <paramref name="lease"/>; false when another run has taken it over (nothing changes then).</summary>
    public async Task<bool> RenewLeaseAsync(ShardLease lease, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            return await RenewAsync(connection, null, lease, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Gives up <paramref name="lease"/> so the next run starts at once; false when it was no longer this run's.</summary>
    public async Task<bool> ReleaseLeaseAsync(ShardLease lease, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            return await ReleaseAsync(connection, null, lease, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The lease of a shard as stored now (held, or expired and not yet taken over), or null when nobody holds it.</summary>
    public async Task<ShardLeaseInfo?> GetLeaseAsync(string jobId, int shard, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadLeaseAsync(connection, null, jobId, shard, string.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews the lease inside the caller's transaction; on PostgreSQL this also locks it until that transaction ends.</summary>
    private async Task<bool> RenewAsync(DbConnection connection, DbTransaction? transaction, ShardLease lease, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"UPDATE {StoreSchema.Leases} SET heartbeat_ms = {StoreSchema.Now(Location.Kind)} WHERE job_id = @job AND shard = @shard AND token = @token",
            ("job", lease.JobId), ("shard", lease.Shard), ("token", lease.Token));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<bool> ReleaseAsync(DbConnection connection, DbTransaction? transaction, ShardLease lease, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"DELETE FROM {StoreSchema.Leases} WHERE job_id = @job AND shard = @shard AND token = @token",
            ("job", lease.JobId), ("shard", lease.Shard), ("token", lease.Token));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<ShardLeaseInfo?> ReadLeaseAsync(DbConnection connection, DbTransaction? transaction, string jobId, int shard, string suffix, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"SELECT holder, acquired_ms, heartbeat_ms, timeout_ms, {StoreSchema.Now(Location.Kind)} FROM {StoreSchema.Leases} WHERE job_id = @job AND shard = @shard{suffix}",
            ("job", jobId), ("shard", shard));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? LeaseInfo(reader, 0) : null;
    }

    /// <summary>Reads (holder, acquired_ms, heartbeat_ms, timeout_ms, database now) from <paramref name="first"/> on; null when the holder is null (no lease).</summary>
    private static ShardLeaseInfo? LeaseInfo(DbDataReader reader, int first)
    {
        if (reader.IsDBNull(first))
        {
            return null;
        }

        var beat = Long(reader, first + 2);
        return new ShardLeaseInfo(reader.GetString(first), DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, first + 1)), DateTimeOffset.FromUnixTimeMilliseconds(beat),
            TimeSpan.FromMilliseconds(Long(reader, first + 3)), TimeSpan.FromMilliseconds(Long(reader, first + 4) - beat));
    }
}
