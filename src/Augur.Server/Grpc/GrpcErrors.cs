using Augur.Errors;
using Grpc.Core;

namespace Augur.Server.Grpc;

/// <summary>Turns engine errors into gRPC statuses through the one mapping in <see cref="ErrorCodes"/>.</summary>
internal static class GrpcErrors
{
    public static RpcException ToRpcException(InferenceError error) =>
        new(new Status((StatusCode)error.Code.ToGrpcStatus(), error.Message));
}
