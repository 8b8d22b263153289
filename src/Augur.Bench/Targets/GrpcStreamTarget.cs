using Augur.Protocol.Grpc;

namespace Augur.Bench.Targets;

/// <summary>
/// gRPC bidirectional streaming (<c>ModelStreamInfer</c>): in the Streams scenario each stream (sensor) has its own
/// call on its own connection, as a fleet of devices would (and as each REST stream may keep its own keep-alive
/// connection); in the other scenarios every query shares one call, matched to its answer by request id.
/// </summary>
public sealed class GrpcStreamTarget(Uri address, string model, string? version, bool raw)
    : GrpcTarget(address, model, version, raw, $"grpc-stream://{address.Authority}"), IStreamingBenchTarget
{
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private GrpcStreamSession? _shared;

    /// <inheritdoc />
    public Task<IStreamSession> OpenStreamAsync(object query, CancellationToken cancellationToken)
    {
        var channel = CreateChannel(Address);
        return Task.FromResult<IStreamSession>(new GrpcStreamSession(new GRPCInferenceService.GRPCInferenceServiceClient(channel), (ModelInferRequest)query, RequestTimeout, channel));
    }

    /// <inheritdoc />
    public override async ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken) =>
        await (await SharedAsync(cancellationToken).ConfigureAwait(false)).SendAsync((ModelInferRequest)query, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync().ConfigureAwait(false);
        }

        _openLock.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<GrpcStreamSession> SharedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _shared) is { } open)
        {
            return open;
        }

        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _shared ??= new GrpcStreamSession(Client, null, RequestTimeout);
        }
        finally
        {
            _openLock.Release();
        }
    }
}
