namespace Augur.Errors;

/// <summary>The one-to-one mapping of <see cref="ErrorCode"/> to HTTP and gRPC status codes.</summary>
public static class ErrorCodes
{
    /// <summary>The HTTP status code for <paramref name="code"/>.</summary>
    public static int ToHttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => 400,
        ErrorCode.NotFound => 404,
        ErrorCode.Unavailable => 503,
        ErrorCode.DeadlineExceeded => 504,
        ErrorCode.ResourceExhausted => 503,
        ErrorCode.PayloadTooLarge => 413,
        ErrorCode.Cancelled => 499,
        _ => 500,
    };

    /// <summary>The numeric gRPC status code (as in <c>grpc/status.h</c>) for <paramref name="code"/>.</summary>
    public static int ToGrpcStatus(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => 3,
        ErrorCode.NotFound => 5,
        ErrorCode.Unavailable => 14,
        ErrorCode.DeadlineExceeded => 4,
        ErrorCode.ResourceExhausted or ErrorCode.PayloadTooLarge => 8,
        ErrorCode.Cancelled => 1,
        _ => 13,
    };
}
