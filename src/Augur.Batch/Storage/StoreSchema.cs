namespace Augur.Batch.Storage;

/// <summary>
/// The tables a prediction store holds. The same DDL serves SQLite and PostgreSQL; timestamps are UTC ISO 8601 text,
/// inputs and outputs JSON text, so both engines store and sort them alike.
/// </summary>
internal static class StoreSchema
{
    public const string Jobs = "augur_batch_jobs";
    public const string Chunks = "augur_batch_chunks";
    public const string Predictions = "augur_predictions";
    public const string Errors = "augur_batch_errors";

    public static readonly string[] Statements =
    [
        $"""
        CREATE TABLE IF NOT EXISTS {Jobs} (
          job_id TEXT NOT NULL, shard INTEGER NOT NULL, shard_count INTEGER NOT NULL, model TEXT NOT NULL, input TEXT NOT NULL,
          chunk_size INTEGER NOT NULL, state TEXT NOT NULL, rows_written BIGINT NOT NULL, rows_failed BIGINT NOT NULL,
          chunks_committed BIGINT NOT NULL, started_at TEXT NOT NULL, updated_at TEXT NOT NULL, message TEXT,
          PRIMARY KEY (job_id, shard))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Chunks} (
          job_id TEXT NOT NULL, shard INTEGER NOT NULL, chunk BIGINT NOT NULL, row_count INTEGER NOT NULL, error_count INTEGER NOT NULL,
          committed_at TEXT NOT NULL, PRIMARY KEY (job_id, shard, chunk))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Predictions} (
          job_id TEXT NOT NULL, row_id BIGINT NOT NULL, row_key TEXT NOT NULL, model TEXT NOT NULL, model_version TEXT NOT NULL,
          inputs TEXT NOT NULL, outputs TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (job_id, row_id))
        """,
        $"CREATE INDEX IF NOT EXISTS {Predictions}_model_key ON {Predictions} (model, row_key, created_at)",
        $"""
        CREATE TABLE IF NOT EXISTS {Errors} (
          job_id TEXT NOT NULL, row_id BIGINT NOT NULL, row_key TEXT, reason TEXT NOT NULL, created_at TEXT NOT NULL,
          PRIMARY KEY (job_id, row_id))
        """,
    ];
}
