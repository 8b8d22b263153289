namespace Augur.Batch;

/// <summary>How a batch job ended: the process exit code of <c>augur batch</c>.</summary>
public enum BatchExitCode
{
    /// <summary>Every row of the shard is predicted and stored.</summary>
    Completed = 0,

    /// <summary>The job stopped on an error (inference backend, database, unreadable input). Re-run the same command to resume.</summary>
    Failed = 1,

    /// <summary>Bad options, an unknown model, an input whose columns do not fit the model: nothing ran. Fix the command.</summary>
    UsageError = 2,

    /// <summary>The job finished, but some rows were bad; they are in the errors table (at most <c>--max-errors</c>).</summary>
    CompletedWithErrors = 3,

    /// <summary>More bad rows than <c>--max-errors</c>: the job stopped. Committed chunks stay; fix the input or raise the limit and re-run.</summary>
    TooManyErrors = 4,

    /// <summary>
    /// Another run holds this shard: at start (its holder still beats), or mid-run (this run stalled past its lease
    /// timeout and another took the shard over; this run stopped without committing more). Nothing of this run's
    /// work is stored twice. Re-run when the holder has ended or stopped beating; the holder resumes the shard itself.
    /// </summary>
    ShardHeld = 5,

    /// <summary>Stopped by Ctrl+C or SIGTERM after committing what was done. Re-run the same command to resume.</summary>
    Cancelled = 130,
}

/// <summary>A job-level failure with the exit code it ends the job with.</summary>
public sealed class BatchJobException(BatchExitCode exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The exit code.</summary>
    public BatchExitCode ExitCode { get; } = exitCode;
}
