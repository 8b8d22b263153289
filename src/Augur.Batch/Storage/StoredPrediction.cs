namespace Augur.Batch.Storage;

/// <summary>One stored prediction, as <c>augur predictions get</c> and the REST endpoint return it.</summary>
/// <param name="Key">The row's key (the key column's value, or the row id as text).</param>
/// <param name="JobId">The job that wrote it.</param>
/// <param name="RowId">The row's 0-based position in the job's input.</param>
/// <param name="Model">The model name.</param>
/// <param name="ModelVersion">The model version that produced it.</param>
/// <param name="InputsJson">The chosen input columns, a JSON object (<c>{}</c> when none were chosen).</param>
/// <param name="OutputsJson">The outputs, a JSON object of output name to array of values.</param>
/// <param name="CreatedAt">When the row was committed, UTC, ISO 8601.</param>
public sealed record StoredPrediction(string Key, string JobId, long RowId, string Model, string ModelVersion, string InputsJson, string OutputsJson, string CreatedAt);

/// <summary>The state of one shard of a job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">The shard index (0 when the job is not sharded).</param>
/// <param name="ShardCount">How many shards the job has.</param>
/// <param name="Model">The model.</param>
/// <param name="Input">The input the job reads (a file path or a SQL query).</param>
/// <param name="State">running, completed, completed_with_errors, aborted, failed or cancelled.</param>
/// <param name="RowsWritten">Predictions committed so far.</param>
/// <param name="RowsFailed">Bad rows recorded so far.</param>
/// <param name="ChunksCommitted">Chunks committed so far.</param>
/// <param name="StartedAt">First start, UTC ISO 8601.</param>
/// <param name="UpdatedAt">Last commit or state change, UTC ISO 8601.</param>
/// <param name="Message">Why the job ended, when it did not complete.</param>
/// <param name="Lease">The run holding the shard, or whose lease expired without being taken over yet; null when none holds it.</param>
public sealed record JobShardStatus(
    string JobId, int Shard, int ShardCount, string Model, string Input, string State, long RowsWritten, long RowsFailed, long ChunksCommitted,
    string StartedAt, string UpdatedAt, string? Message, ShardLeaseInfo? Lease);

/// <summary>A row the job could not predict.</summary>
/// <param name="RowId">The row's 0-based position in the input.</param>
/// <param name="Key">The row's key, when it could be read.</param>
/// <param name="Reason">Why, naming the column or input.</param>
public sealed record RowError(long RowId, string? Key, string Reason);

/// <summary>A successfully predicted row, ready to store.</summary>
/// <param name="RowId">The row's 0-based position in the input.</param>
/// <param name="Key">The row's key.</param>
/// <param name="InputsJson">The chosen input columns as a JSON object.</param>
/// <param name="OutputsJson">The outputs as a JSON object.</param>
/// <param name="ModelVersion">The version that produced it.</param>
public sealed record PredictedRow(long RowId, string Key, string InputsJson, string OutputsJson, string ModelVersion);

/// <summary>One chunk's results: committed together with the chunk's checkpoint, or not at all.</summary>
/// <param name="Index">The chunk's index within the shard (deterministic for a given input, shard and chunk size).</param>
/// <param name="Rows">The predictions.</param>
/// <param name="Errors">The bad rows.</param>
public sealed record ChunkResult(long Index, IReadOnlyList<PredictedRow> Rows, IReadOnlyList<RowError> Errors);
