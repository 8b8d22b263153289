namespace Augur.Bench.Targets;

/// <summary>
/// Opens the streams of the Streams scenario. A target without streams of its own (REST, unary gRPC, in-process)
/// serves every stream from one shared target; a streaming target (gRPC bidi) opens one stream each.
/// </summary>
public interface IStreamSource
{
    /// <summary>Opens <paramref name="count"/> streams; each target sends one reading of <paramref name="samples"/> samples and waits for its answer.</summary>
    Task<IReadOnlyList<ILoadTarget>> OpenStreamsAsync(int count, int samples, CancellationToken cancellationToken);

    /// <summary>Closes streams opened by <see cref="OpenStreamsAsync"/>.</summary>
    ValueTask CloseStreamsAsync(IReadOnlyList<ILoadTarget> streams);
}

/// <summary>An <see cref="IBenchTarget"/> that can open a stream of its own per sensor (gRPC ModelStreamInfer).</summary>
public interface IStreamingBenchTarget : IBenchTarget
{
    /// <summary>Opens one stream on which <paramref name="query"/> (from <see cref="IBenchTarget.Prepare"/>) is sent per reading.</summary>
    Task<IStreamSession> OpenStreamAsync(object query, CancellationToken cancellationToken);
}

/// <summary>One open stream: each call sends one reading and waits for its answer. Closing ends the stream.</summary>
public interface IStreamSession : ILoadTarget, IAsyncDisposable
{
}
