namespace Augur.Errors;

/// <summary>
/// Thrown by the convenience methods of the in-process API (e.g. <c>InferenceEngine.InferAsync</c>);
/// the value-returning methods (<c>TryInferAsync</c>) report the same <see cref="InferenceError"/> without throwing.
/// </summary>
public sealed class InferenceException(InferenceError error) : Exception(error.Message)
{
    /// <summary>The failure.</summary>
    public InferenceError Error { get; } = error;

    /// <summary>Shorthand for <c>Error.Code</c>.</summary>
    public ErrorCode Code => Error.Code;
}
