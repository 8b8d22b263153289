namespace Augur.Batch.Storage;

/// <summary>What a shard has already committed: the chunks to skip when the job resumes, and its counts.</summary>
/// <param name="CommittedChunks">The indexes of the chunks already committed.</param>
/// <param name="RowsWritten">Predictions committed.</param>
/// <param name="RowsFailed">Bad rows recorded.</param>
/// <param name="Resumed">True when the shard had started before.</param>
public sealed record ShardCheckpoint(IReadOnlySet<long> CommittedChunks, long RowsWritten, long RowsFailed, bool Resumed);

/// <summary>The identity of a job's shard and the settings a resumed run must share with the first.</summary>
/// <param name="JobId">The job id.</param>
/// <param name="Shard">The shard index, from 0.</param>
/// <param name="ShardCount">How many shards.</param>
/// <param name="Model">The model name.</param>
/// <param name="Input">The input (path or query) as given.</param>
/// <param name="ChunkSize">Rows per committed chunk; a resumed run must use the same, since chunks are its checkpoints.</param>
public sealed record ShardIdentity(string JobId, int Shard, int ShardCount, string Model, string Input, int ChunkSize);
