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
    public const string Leases = "augur_batch_leases";

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
        // A run's hold on a shard. Its times are epoch milliseconds of the database's clock, not ISO text: expiry is
        // decided in SQL by comparing them with that same clock, the one clock runs on different hosts share.
        $"""
        CREATE TABLE IF NOT EXISTS {Leases} (
          job_id TEXT NOT NULL, shard INTEGER NOT NULL, holder TEXT NOT NULL, token TEXT NOT NULL, timeout_ms BIGINT NOT NULL,
          acquired_ms BIGINT NOT NULL, heartbeat_ms BIGINT NOT NULL, PRIMARY KEY (job_id, shard))
        """,
    ];

    /// <summary>The database's clock as epoch milliseconds, in SQL: on SQLite the host's clock, on PostgreSQL the server's.</summary>
    public static string Now(StoreKind kind) => kind == StoreKind.Sqlite
        ? "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)"
        : "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)";
}
