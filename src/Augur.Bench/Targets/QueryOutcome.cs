namespace Augur.Bench.Targets;

/// <summary>
/// How one query ended: <see cref="Status"/> is its status class (<see cref="StatusClasses"/>: <c>200</c>,
/// <c>grpc:UNAVAILABLE</c>, <c>inprocess:ResourceExhausted</c>, <c>transport</c>, ...); <see cref="Error"/> is null on
/// success, otherwise what went wrong; <see cref="Source"/> is the answer's <c>prediction_source</c> response parameter
/// (<c>model</c>, <c>cache</c>, <c>precomputed</c>), null when the answer carried none or the query failed.
/// </summary>
public readonly record struct QueryOutcome(string Status, string? Error, string? Source)
{
    /// <summary>A success of a target that speaks no protocol (class <see cref="StatusClasses.Ok"/>), whose answer said <paramref name="source"/> (or nothing).</summary>
    public static QueryOutcome Success(string? source = null) => new(StatusClasses.Ok, null, source);

    /// <summary>A success whose answer had status class <paramref name="status"/> and said <paramref name="source"/> (or nothing).</summary>
    public static QueryOutcome Answered(string status, string? source = null) => new(status, null, source);

    /// <summary>A failure with no protocol status (class <see cref="StatusClasses.Failed"/>), <paramref name="error"/> saying what went wrong.</summary>
    public static QueryOutcome Failure(string error) => new(StatusClasses.Failed, error, null);

    /// <summary>A failure of status class <paramref name="status"/>, <paramref name="error"/> saying what went wrong.</summary>
    public static QueryOutcome Failed(string status, string error) => new(status, error, null);

    /// <summary>Success when <paramref name="error"/> is null, otherwise a failure with that message; neither has a protocol status.</summary>
    public static QueryOutcome FromError(string? error) => error is null ? Success() : Failure(error);

    /// <summary>True when the server refused the query as overloaded or unavailable (<see cref="StatusClasses.IsRefusal"/>).</summary>
    public bool IsRefusal => Error is not null && StatusClasses.IsRefusal(Status);
}
