using System.Data.Common;
using System.Globalization;
using Augur.Batch.Precomputed;
using Augur.Precomputed;
using Augur.Protocol.Json;

namespace Augur.Batch.Storage;

/// <summary>
/// The store as the engine's precomputed predictions and the server's predictions route read it: the newest prediction
/// for a key, preferring the version asked for, and online answers written back as rows of job <see cref="OnlineJobId"/>.
/// </summary>
public sealed partial class PredictionStore : IPrecomputedPredictions
{
    /// <summary>The job id of predictions written back by a server (config.json <c>write_back</c>) rather than by a job.</summary>
    public const string OnlineJobId = "online";

    // A write-back waits this long at most for a SQLite file that a job is committing to, not the jobs' 30 s: it runs
    // beside requests, and a busy file only costs it the write.
    private const int WriteBackBusyMilliseconds = 1000;

    /// <inheritdoc />
    public async ValueTask<PrecomputedPrediction?> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        StoredPrediction? found;
        try
        {
            // One query: the newest of the version asked for, or else the newest of any version. The (model, row_key,
            // created_at) index finds the key's rows; a key has one row per job that predicted it.
            var connection = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
            var healthy = false;
            try
            {
                await using var command = Command(connection, null,
                    $"SELECT row_key, job_id, row_id, model, model_version, inputs, outputs, created_at FROM {StoreSchema.Predictions} " +
                    "WHERE model = @model AND row_key = @key ORDER BY CASE WHEN model_version = @version THEN 0 ELSE 1 END, created_at DESC, job_id DESC LIMIT 1",
                    ("model", query.Model), ("key", query.Key), ("version", query.Version ?? string.Empty));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new StoredPrediction(reader.GetString(0), reader.GetString(1), Long(reader, 2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7))
                    : null;
                healthy = true;
            }
            finally
            {
                await _readers.ReturnAsync(connection, healthy).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new PrecomputedStoreException($"the prediction store '{Location.Display}' cannot be read: {ex.Message}", ex);
        }

        return found is null ? null : PrecomputedRows.From(found, query);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(PrecomputedWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var outputs = RowOutputsJson.Write(write.Outputs, 0, 1);
        try
        {
            // Its own connection, not the job writer's: a server writing back and a job committing never share one.
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (Location.Kind == StoreKind.Sqlite)
            {
                await using var pragma = Command(connection, null, $"PRAGMA busy_timeout={WriteBackBusyMilliseconds.ToString(CultureInfo.InvariantCulture)}");
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Online rows have no job to number them: a random id above any job's row count keeps (job_id, row_id)
            // unique; in the 1-in-2⁶² case of a repeat the insert fails on the key and the write is counted as failed.
            await ExecuteAsync(connection, null,
                $"INSERT INTO {StoreSchema.Predictions} (job_id, row_id, row_key, model, model_version, inputs, outputs, created_at) VALUES (@job, @row, @key, @model, @version, '{{}}', @outputs, @now)",
                cancellationToken,
                ("job", OnlineJobId), ("row", Random.Shared.NextInt64(1L << 32, long.MaxValue)), ("key", write.Key), ("model", write.Model), ("version", write.ModelVersion),
                ("outputs", outputs), ("now", Format(write.CreatedAt))).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new PrecomputedStoreException($"the prediction store '{Location.Display}' cannot be written: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> predictions of <paramref name="jobId"/> with row ids above <paramref name="afterRowId"/>,
    /// by row id: a finished job, page by page (what <c>augur predictions publish</c> copies).
    /// </summary>
    public async Task<IReadOnlyList<StoredPrediction>> GetJobPredictionsAsync(string jobId, long afterRowId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            $"SELECT row_key, job_id, row_id, model, model_version, inputs, outputs, created_at FROM {StoreSchema.Predictions} " +
            "WHERE job_id = @job AND row_id > @after ORDER BY row_id LIMIT @limit",
            ("job", jobId), ("after", afterRowId), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<StoredPrediction>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StoredPrediction(reader.GetString(0), reader.GetString(1), Long(reader, 2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }

    internal static bool IsStoreFailure(Exception ex) => ex is DbException or IOException or TimeoutException or InvalidOperationException or UnauthorizedAccessException;
}
