using System.Data.Common;
using Npgsql;

namespace Augur.Batch.Storage;

/// <summary>Inserts a chunk's rows inside the caller's transaction: a reused prepared command on SQLite, one batch round trip on PostgreSQL.</summary>
internal static class ChunkWriter
{
    private const string InsertPrediction =
        $"INSERT INTO {StoreSchema.Predictions} (job_id, row_id, row_key, model, model_version, inputs, outputs, created_at) VALUES (@job, @row, @key, @model, @version, @inputs, @outputs, @now)";

    private const string InsertError = $"INSERT INTO {StoreSchema.Errors} (job_id, row_id, row_key, reason, created_at) VALUES (@job, @row, @key, @reason, @now)";

    public static async Task InsertPredictionsAsync(DbConnection connection, DbTransaction transaction, string jobId, string model, IReadOnlyList<PredictedRow> rows, string now, CancellationToken cancellationToken)
    {
        if (connection is NpgsqlConnection npgsql)
        {
            await using var batch = new NpgsqlBatch(npgsql, (NpgsqlTransaction)transaction);
            foreach (var row in rows)
            {
                var command = new NpgsqlBatchCommand(InsertPrediction.Replace("@job", "$1").Replace("@row", "$2").Replace("@key", "$3").Replace("@model", "$4")
                    .Replace("@version", "$5").Replace("@inputs", "$6").Replace("@outputs", "$7").Replace("@now", "$8"));
                command.Parameters.Add(new NpgsqlParameter { Value = jobId });
                command.Parameters.Add(new NpgsqlParameter { Value = row.RowId });
                command.Parameters.Add(new NpgsqlParameter { Value = row.Key });
                command.Parameters.Add(new NpgsqlParameter { Value = model });
                command.Parameters.Add(new NpgsqlParameter { Value = row.ModelVersion });
                command.Parameters.Add(new NpgsqlParameter { Value = row.InputsJson });
                command.Parameters.Add(new NpgsqlParameter { Value = row.OutputsJson });
                command.Parameters.Add(new NpgsqlParameter { Value = now });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var insert = PredictionStore.Command(connection, transaction, InsertPrediction,
            ("job", jobId), ("row", 0L), ("key", string.Empty), ("model", model), ("version", string.Empty), ("inputs", string.Empty), ("outputs", string.Empty), ("now", now));
        insert.Prepare();
        foreach (var row in rows)
        {
            insert.Parameters[1].Value = row.RowId;
            insert.Parameters[2].Value = row.Key;
            insert.Parameters[4].Value = row.ModelVersion;
            insert.Parameters[5].Value = row.InputsJson;
            insert.Parameters[6].Value = row.OutputsJson;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task InsertErrorsAsync(DbConnection connection, DbTransaction transaction, string jobId, IReadOnlyList<RowError> errors, string now, CancellationToken cancellationToken)
    {
        await using var insert = PredictionStore.Command(connection, transaction, InsertError, ("job", jobId), ("row", 0L), ("key", null), ("reason", string.Empty), ("now", now));
        foreach (var error in errors)
        {
            insert.Parameters[1].Value = error.RowId;
            insert.Parameters[2].Value = (object?)error.Key ?? DBNull.Value;
            insert.Parameters[3].Value = error.Reason;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
