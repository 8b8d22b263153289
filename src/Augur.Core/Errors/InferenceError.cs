namespace Augur.Errors;

/// <summary>An expected failure, as a value: its code and a message that names the offending input.</summary>
/// <param name="Code">What kind of failure.</param>
/// <param name="Message">A message for the client, naming the model, input or limit involved.</param>
public sealed record InferenceError(ErrorCode Code, string Message)
{
    /// <summary>An <see cref="ErrorCode.InvalidArgument"/> error.</summary>
    public static InferenceError Invalid(string message) => new(ErrorCode.InvalidArgument, message);

    /// <summary>An <see cref="ErrorCode.NotFound"/> error.</summary>
    public static InferenceError NotFound(string message) => new(ErrorCode.NotFound, message);

    /// <summary>An <see cref="ErrorCode.Unavailable"/> error.</summary>
    public static InferenceError Unavailable(string message) => new(ErrorCode.Unavailable, message);

    /// <summary>How long the client should wait before retrying (overload), when the engine can tell; null otherwise.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
