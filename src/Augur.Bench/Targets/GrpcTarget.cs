using Augur.Models;
using Augur.Protocol.Grpc;
using Augur.Protocol.Json;
using Augur.Tensors;
using Grpc.Core;
using Grpc.Net.Client;

namespace Augur.Bench.Targets;

/// <summary>
/// Any Open Inference Protocol gRPC server (Augur, Triton, KServe): one unary <c>ModelInfer</c> call per query, on one
/// channel that opens more HTTP/2 connections when a connection's stream limit is reached. Tensors travel in
/// <c>raw_input_contents</c> with <c>raw</c> (always for FP16/BF16), otherwise in typed contents.
/// </summary>
public class GrpcTarget : IBenchTarget, ISequenceQueries, IPredictionKeyQueries
{
    /// <summary>A call not answered within this time counts as an error, so a run always ends.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The status class of a successful call.</summary>
    internal static readonly string OkStatus = StatusClasses.Grpc(StatusCode.OK);

    private readonly GrpcChannel _channel;
    private readonly string _model;
    private readonly string? _version;
    private readonly bool _raw;

    /// <summary>Creates the target for the server at <paramref name="address"/> (an http:// URL of its gRPC port).</summary>
    public GrpcTarget(Uri address, string model, string? version, bool raw, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _model = model;
        _version = version;
        _raw = raw;
        Name = name ?? $"grpc://{address.Authority}";
        Address = address;
        _channel = CreateChannel(address);
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The server's gRPC address.</summary>
    protected Uri Address { get; }

    /// <summary>
    /// A channel (its own connection pool) to <paramref name="address"/>; it opens more HTTP/2 connections when one
    /// reaches its stream limit.
    /// </summary>
    protected static GrpcChannel CreateChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // A proxy from the environment would be measured along with the server.
            UseProxy = false,
        },
        MaxReceiveMessageSize = null,
    });

    /// <summary>The generated client on this target's channel.</summary>
    protected GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    /// <inheritdoc />
    public async Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await Client.ModelMetadataAsync(
                new ModelMetadataRequest { Name = _model, Version = _version ?? string.Empty },
                deadline: DateTime.UtcNow + RequestTimeout,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var inputs = new List<TensorSpec>(metadata.Inputs.Count);
            foreach (var input in metadata.Inputs)
            {
                if (!DataTypes.TryParse(input.Datatype, out var type))
                {
                    return (null, $"ModelMetadata: input '{input.Name}' has unknown datatype '{input.Datatype}'");
                }

                inputs.Add(new TensorSpec(input.Name, type, input.Shape.ToArray()));
            }

            return (inputs, null);
        }
        catch (RpcException ex)
        {
            return (null, $"ModelMetadata: {Describe(ex)}");
        }
    }

    /// <inheritdoc />
    public object Prepare(IReadOnlyList<InferenceTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return GrpcRequestWriter.Create(_model, _version, inputs, _raw || inputs.Any(i => TypedContents.FieldOf(i.DataType) is null));
    }

    /// <inheritdoc />
    public object PrepareRequestBody(byte[] body) =>
        InferRequestReader.TryRead(body, null, _model, _version, new JsonCodecOptions(), out var decoded, out var error)
            ? Prepare(decoded.Request.Inputs)
            : throw new InvalidDataException($"the request file is not a valid request for '{_model}': {error!.Message}");

    /// <inheritdoc />
    public object WithSequenceId(object query, string sequenceId)
    {
        var request = ((ModelInferRequest)query).Clone();
        request.Parameters["sequence_id"] = new InferParameter { StringParam = sequenceId };
        return request;
    }

    /// <inheritdoc />
    public object WithPredictionKey(object query, string key)
    {
        var request = ((ModelInferRequest)query).Clone();
        request.Parameters["prediction_key"] = new InferParameter { StringParam = key };
        return request;
    }

    /// <inheritdoc />
    public virtual async ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RequestTimeout;
        try
        {
            var response = await Client.ModelInferAsync((ModelInferRequest)query, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            return QueryOutcome.Answered(OkStatus, PredictionSourceReader.Read(response));
        }
        catch (RpcException ex)
        {
            return QueryOutcome.Failed(ClassifyCall(ex, deadline), Describe(ex));
        }
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        _channel.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The status of a failed call, as reports show it.</summary>
    protected static string Describe(RpcException ex) => $"gRPC {ex.StatusCode}: {ex.Status.Detail}";

    /// <summary>
    /// The status class of a failed call: the status the server sent (<c>grpc:UNAVAILABLE</c>, ...), or
    /// <see cref="StatusClasses.Transport"/> when none came. The client makes up a status then: <c>UNAVAILABLE</c> with
    /// the connection's exception attached when it could not reach the server or lost the connection, or
    /// <c>DEADLINE_EXCEEDED</c> once this client's <paramref name="deadline"/> (if any) has passed.
    /// </summary>
    internal static string ClassifyCall(RpcException ex, DateTime? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var noAnswer = ex.Status.DebugException is not null
            || (ex.StatusCode == StatusCode.DeadlineExceeded && deadline is { } d && DateTime.UtcNow >= d);
        return noAnswer ? StatusClasses.Transport : StatusClasses.Grpc(ex.StatusCode);
    }
}
