using Augur.Errors;
using Augur.Protocol.Grpc;
using Augur.Protocol.Json;
using Augur.Server.Endpoints;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Augur.Server.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c>: the Open Inference Protocol over gRPC, wire-compatible with Triton's and
/// KServe's clients. Every RPC goes through the same <see cref="InferenceEngine"/> as REST, so validation, batching,
/// metrics and error codes are the same; failures become the gRPC status <see cref="ErrorCodes"/> maps them to.
/// </summary>
internal sealed partial class InferenceGrpcService(InferenceEngine engine, AugurServerOptions options, ILogger<InferenceGrpcService> logger)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    private static readonly ServerLiveResponse Live = new() { Live = true };

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Task.FromResult(Live);

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = engine.IsReady });

    /// <summary>Ready true or false for a model that exists; NOT_FOUND for one that does not, INVALID_ARGUMENT for a bad version.</summary>
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var error = engine.CheckReady(request.Name, NullIfEmpty(request.Version));
        return error is null or { Code: ErrorCode.Unavailable }
            ? Task.FromResult(new ModelReadyResponse { Ready = error is null })
            : throw GrpcErrors.ToRpcException(error);
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = options.ServerName, Version = MetadataEndpoints.Version };
        response.Extensions.Add(MetadataWriter.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        engine.TryGetMetadata(request.Name, NullIfEmpty(request.Version), out var metadata, out var error)
            ? Task.FromResult(GrpcResponseWriter.WriteMetadata(metadata))
            : throw GrpcErrors.ToRpcException(error!);

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        if (!GrpcRequestReader.TryRead(request, out var decoded, out var error))
        {
            throw GrpcErrors.ToRpcException(error!);
        }

        var result = await engine.TryInferAsync(GrpcErrors.WithDeadline(decoded.Request, context), context.CancellationToken).ConfigureAwait(false);
        return result.IsSuccess
            ? GrpcResponseWriter.Write(result.Response, decoded.RawOutputs)
            : throw GrpcErrors.ToRpcException(result.Error);
    }

    public override Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context) =>
        new StreamInferCall(engine, requestStream, responseStream, logger, context.CancellationToken).RunAsync();

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
