using System.Data.Common;
using System.Globalization;

namespace Augur.Batch.Storage;

/// <summary>
/// The database a batch job writes to and the server reads from: predictions keyed by (job id, row id), the jobs'
/// checkpoints, and bad rows. Writes go through one connection (one writer per job process); every read opens its
/// own, so the server can call <see cref="GetPredictionAsync"/> from many requests at once. A run writes a shard only
/// while it holds the shard's lease (see PredictionStore.Leases.cs).
/// </summary>
public sealed partial class PredictionStore : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private DbConnection? _writer;

    private readonly ReaderPool _readers;

    private PredictionStore(StoreLocation location)
    {
        Location = location;
        _readers = new ReaderPool(location);
    }

    /// <summary>Where the store lives.</summary>
    public StoreLocation Location { get; }

    /// <summary>Opens the store and creates its tables when they do not exist yet (a SQLite file is created too).</summary>
    public static async Task<PredictionStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken = default)
    {
        var store = new PredictionStore(location);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (location.Kind == StoreKind.Postgres)
            {
                // Shards of one job start together; CREATE TABLE IF NOT EXISTS alone races on PostgreSQL's catalog.
                await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7271828)", cancellationToken).ConfigureAwait(false);
            }

            foreach (var statement in StoreSchema.Statements)
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Registers a shard's run, or finds the checkpoint of an earlier run of the same job and shard. Throws
    /// <see cref="BatchJobException"/> when the job id was used before with another model, input, shard count or chunk size.
    /// </summary>
    public async Task<ShardCheckpoint> BeginShardAsync(ShardIdentity shard, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var find = Command(connection, transaction, $"SELECT model, input, shard_count, chunk_size, rows_written, rows_failed FROM {StoreSchema.Jobs} WHERE job_id = @job AND shard = @shard", ("job", shard.JobId), ("shard", shard.Shard)))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var (model, input, count, chunkSize) = (reader.GetString(0), reader.GetString(1), Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture));
                    var (written, failed) = (Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture));
                    await reader.DisposeAsync().ConfigureAwait(false);
                    if (model != shard.Model || input != shard.Input || count != shard.ShardCount || chunkSize != shard.ChunkSize)
                    {
                        throw new BatchJobException(BatchExitCode.UsageError,
                            $"job '{shard.JobId}' shard {shard.Shard} was started with model '{model}', input '{input}', {count} shard(s) and chunk size {chunkSize}; " +
                            $"this run has model '{shard.Model}', input '{shard.Input}', {shard.ShardCount} shard(s) and chunk size {shard.ChunkSize}. Use another --job-id for a new job.");
                    }

                    var chunks = new HashSet<long>();
                    await using (var list = Command(connection, transaction, $"SELECT chunk FROM {StoreSchema.Chunks} WHERE job_id = @job AND shard = @shard", ("job", shard.JobId), ("shard", shard.Shard)))
                    await using (var rows = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                    {
                        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            chunks.Add(Convert.ToInt64(rows.GetValue(0), CultureInfo.InvariantCulture));
                        }
                    }

                    await ExecuteAsync(connection, transaction, $"UPDATE {StoreSchema.Jobs} SET state = 'running', message = NULL, updated_at = @now WHERE job_id = @job AND shard = @shard", cancellationToken,
                        ("now", Format(now)), ("job", shard.JobId), ("shard", shard.Shard)).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return new ShardCheckpoint(chunks, written, failed, Resumed: true);
                }
            }

            await ExecuteAsync(connection, transaction,
                $"INSERT INTO {StoreSchema.Jobs} (job_id, shard, shard_count, model, input, chunk_size, state, rows_written, rows_failed, chunks_committed, started_at, updated_at) " +
                "VALUES (@job, @shard, @count, @model, @input, @chunk, 'running', 0, 0, 0, @now, @now)", cancellationToken,
                ("job", shard.JobId), ("shard", shard.Shard), ("count", shard.ShardCount), ("model", shard.Model), ("input", shard.Input), ("chunk", shard.ChunkSize), ("now", Format(now))).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new ShardCheckpoint(new HashSet<long>(), 0, 0, Resumed: false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Commits a chunk's predictions, its bad rows and the shard's checkpoint in one transaction: after a crash either
    /// all of it is stored or none. The same transaction first renews <paramref name="lease"/>; when another run has
    /// taken the lease over, nothing is written and the result is false. A chunk committed twice still fails on the
    /// primary keys instead of duplicating rows.
    /// </summary>
    public async Task<bool> CommitChunkAsync(ShardLease lease, string model, ChunkResult chunk, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var (jobId, shard) = (lease.JobId, lease.Shard);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            var at = Format(now);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await RenewAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            if (chunk.Rows.Count > 0)
            {
                await ChunkWriter.InsertPredictionsAsync(connection, transaction, jobId, model, chunk.Rows, at, cancellationToken).ConfigureAwait(false);
            }

            if (chunk.Errors.Count > 0)
            {
                await ChunkWriter.InsertErrorsAsync(connection, transaction, jobId, chunk.Errors, at, cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction,
                $"INSERT INTO {StoreSchema.Chunks} (job_id, shard, chunk, row_count, error_count, committed_at) VALUES (@job, @shard, @chunk, @rows, @errors, @now)", cancellationToken,
                ("job", jobId), ("shard", shard), ("chunk", chunk.Index), ("rows", chunk.Rows.Count), ("errors", chunk.Errors.Count), ("now", at)).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                $"UPDATE {StoreSchema.Jobs} SET rows_written = rows_written + @rows, rows_failed = rows_failed + @errors, chunks_committed = chunks_committed + 1, updated_at = @now " +
                "WHERE job_id = @job AND shard = @shard", cancellationToken,
                ("rows", (long)chunk.Rows.Count), ("errors", (long)chunk.Errors.Count), ("now", at), ("job", jobId), ("shard", shard)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Records how a shard's run ended (a state from <see cref="JobShardStatus.State"/>) and why, and releases
    /// <paramref name="lease"/>, in one transaction; false, changing nothing, when the lease was no longer this run's.
    /// </summary>
    public async Task<bool> FinishShardAsync(ShardLease lease, string state, string? message, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await WriterAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await ReleaseAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            await ExecuteAsync(connection, transaction, $"UPDATE {StoreSchema.Jobs} SET state = @state, message = @message, updated_at = @now WHERE job_id = @job AND shard = @shard", cancellationToken,
                ("state", state), ("message", message), ("now", Format(now)), ("job", lease.JobId), ("shard", lease.Shard)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Every shard of a job, by shard index, with its lease when one is held; empty when the job is unknown.</summary>
    public async Task<IReadOnlyList<JobShardStatus>> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "SELECT j.job_id, j.shard, j.shard_count, j.model, j.input, j.state, j.rows_written, j.rows_failed, j.chunks_committed, j.started_at, j.updated_at, j.message, " +
            $"l.holder, l.acquired_ms, l.heartbeat_ms, l.timeout_ms, {StoreSchema.Now(Location.Kind)} " +
            $"FROM {StoreSchema.Jobs} j LEFT JOIN {StoreSchema.Leases} l ON l.job_id = j.job_id AND l.shard = j.shard WHERE j.job_id = @job ORDER BY j.shard",
            ("job", jobId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var shards = new List<JobShardStatus>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            shards.Add(new JobShardStatus(reader.GetString(0), Int(reader, 1), Int(reader, 2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                Long(reader, 6), Long(reader, 7), Long(reader, 8), reader.GetString(9), reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11), LeaseInfo(reader, 12)));
        }

        return shards;
    }

    /// <summary>The first <paramref name="limit"/> bad rows of a job, by row id.</summary>
    public async Task<IReadOnlyList<RowError>> GetErrorsAsync(string jobId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT row_id, row_key, reason FROM {StoreSchema.Errors} WHERE job_id = @job ORDER BY row_id LIMIT @limit", ("job", jobId), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var errors = new List<RowError>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            errors.Add(new RowError(Long(reader, 0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2)));
        }

        return errors;
    }

    /// <summary>The newest prediction of <paramref name="model"/> for <paramref name="key"/> (any job), or null.</summary>
    public async Task<StoredPrediction?> GetPredictionAsync(string model, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            $"SELECT row_key, job_id, row_id, model, model_version, inputs, outputs, created_at FROM {StoreSchema.Predictions} " +
            "WHERE model = @model AND row_key = @key ORDER BY created_at DESC, job_id DESC LIMIT 1",
            ("model", model), ("key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredPrediction(reader.GetString(0), reader.GetString(1), Long(reader, 2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7))
            : null;
    }

    /// <summary>Formats a timestamp as stored: UTC, ISO 8601 with 7 fractional digits, so text order is time order.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => ConnectionFactory.OpenAsync(Location, cancellationToken);

    private async Task<DbConnection> WriterAsync(CancellationToken cancellationToken) =>
        _writer ??= await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }

        await _readers.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }
}
