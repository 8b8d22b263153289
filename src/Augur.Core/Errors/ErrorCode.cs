namespace Augur.Errors;

/// <summary>
/// The closed set of ways an inference can fail. Each maps to one HTTP status and one gRPC status
/// (<see cref="ErrorCodes"/>), so every front door reports the same failure the same way.
/// </summary>
public enum ErrorCode
{
    /// <summary>The request is malformed or disagrees with the model (HTTP 400, gRPC INVALID_ARGUMENT).</summary>
    InvalidArgument,
    /// <summary>The model or version does not exist (HTTP 404, gRPC NOT_FOUND).</summary>
    NotFound,
    /// <summary>The model exists but is not ready, or the server is shutting down (HTTP 503, gRPC UNAVAILABLE).</summary>
    Unavailable,
    /// <summary>The request's deadline passed before it completed (HTTP 504, gRPC DEADLINE_EXCEEDED).</summary>
    DeadlineExceeded,
    /// <summary>A queue or capacity limit was reached (HTTP 503 so clients retry elsewhere; gRPC RESOURCE_EXHAUSTED).</summary>
    ResourceExhausted,
    /// <summary>The request body is larger than the configured limit (HTTP 413, gRPC RESOURCE_EXHAUSTED).</summary>
    PayloadTooLarge,
    /// <summary>The caller cancelled the request (HTTP 499, gRPC CANCELLED).</summary>
    Cancelled,
    /// <summary>The model failed while running; a bug or a bad model, not a bad request (HTTP 500, gRPC INTERNAL).</summary>
    Internal,
}
