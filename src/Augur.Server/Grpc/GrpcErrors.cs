using Augur.Errors;
using Grpc.Core;

namespace Augur.Server.Grpc;

/// <summary>Turns engine errors into gRPC statuses through the one mapping in <see cref="ErrorCodes"/>.</summary>
internal static class GrpcErrors
{
    /// <summary>
    /// The status of <paramref name="error"/>; an overload refusal that knows its wait carries it as gRPC's retry
    /// pushback trailer (<c>grpc-retry-pushback-ms</c>), which gRPC clients with a retry policy obey.
    /// </summary>
    public static RpcException ToRpcException(InferenceError error)
    {
        var status = new Status((StatusCode)error.Code.ToGrpcStatus(), error.Message);
        if (error.RetryAfter is not { } wait)
        {
            return new RpcException(status);
        }

        var trailers = new Metadata { { "grpc-retry-pushback-ms", Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        return new RpcException(status, trailers);
    }

    /// <summary>
    /// The request with the call's deadline as its queue timeout, when the client set a deadline and the request no
    /// <c>timeout</c> parameter: the client's own timeout is the deadline admission and the queue go by.
    /// </summary>
    public static Augur.Inference.InferenceRequest WithDeadline(Augur.Inference.InferenceRequest request, ServerCallContext context)
    {
        if (request.Timeout is not null || context.Deadline == DateTime.MaxValue)
        {
            return request;
        }

        var left = context.Deadline - DateTime.UtcNow;
        return request.WithTimeout(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
    }
}
