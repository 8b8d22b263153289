namespace Augur.Batch;

/// <summary>A job's progress, reported after each committed chunk.</summary>
/// <param name="RowsWritten">Predictions stored, this run and earlier runs of the same job.</param>
/// <param name="RowsFailed">Bad rows recorded, this run and earlier runs.</param>
/// <param name="RowsThisRun">Rows predicted or recorded as bad by this run (the rate's numerator).</param>
/// <param name="TotalRows">The shard's row count when known (see <see cref="Input.IRowSource.TotalRows"/>).</param>
public readonly record struct BatchProgress(long RowsWritten, long RowsFailed, long RowsThisRun, long? TotalRows);

/// <summary>How a job ended.</summary>
/// <param name="ExitCode">The outcome.</param>
/// <param name="JobId">The job id (given or derived).</param>
/// <param name="ModelVersion">The model version that ran, when the model resolved.</param>
/// <param name="RowsWritten">Predictions stored in all runs of this shard.</param>
/// <param name="RowsFailed">Bad rows in all runs of this shard.</param>
/// <param name="RowsThisRun">Rows this run handled.</param>
/// <param name="RowsSkipped">Rows of chunks an earlier run had committed.</param>
/// <param name="Elapsed">This run's duration.</param>
/// <param name="Message">Why the job did not complete, or null.</param>
/// <param name="TakenOverFrom">The earlier run whose expired lease this run took over, if there was one.</param>
public sealed record BatchJobResult(
    BatchExitCode ExitCode, string JobId, string? ModelVersion, long RowsWritten, long RowsFailed, long RowsThisRun, long RowsSkipped, TimeSpan Elapsed, string? Message,
    Storage.ShardLeaseInfo? TakenOverFrom = null);
