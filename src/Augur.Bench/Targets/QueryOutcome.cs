namespace Augur.Bench.Targets;

/// <summary>
/// How one query ended: <see cref="Error"/> is null on success, otherwise what went wrong; <see cref="Source"/> is the
/// answer's <c>prediction_source</c> response parameter (<c>model</c>, <c>cache</c>, <c>precomputed</c>), null when the
/// answer carried none or the query failed.
/// </summary>
public readonly record struct QueryOutcome(string? Error, string? Source)
{
    /// <summary>A success whose answer said <paramref name="source"/> (or nothing).</summary>
    public static QueryOutcome Success(string? source = null) => new(null, source);

    /// <summary>A failure, <paramref name="error"/> saying what went wrong.</summary>
    public static QueryOutcome Failure(string error) => new(error, null);

    /// <summary>Success when <paramref name="error"/> is null, otherwise a failure with that message.</summary>
    public static QueryOutcome FromError(string? error) => new(error, null);
}
