using System.Threading.Channels;
using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Grpc;
using Augur.Server.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Augur.Server.Grpc;

/// <summary>
/// One <c>ModelStreamInfer</c> call. Requests are read as they arrive and each is handed to the engine at once, so
/// requests of one stream run concurrently and the engine's scheduler batches them with each other and with other
/// streams. Responses are written as they complete (not necessarily in request order; the <c>id</c> matches them),
/// one writer at a time. A request that fails gets a response with <c>error_message</c> set and the stream goes on.
/// At most <see cref="MaxInFlight"/> requests are in flight or unwritten per stream; past that the call stops
/// reading, and HTTP/2 flow control pushes back on the client instead of the server buffering without bound.
/// </summary>
internal sealed class StreamInferCall(
    InferenceEngine engine,
    IAsyncStreamReader<ModelInferRequest> requests,
    IServerStreamWriter<ModelStreamInferResponse> responses,
    ILogger logger,
    CancellationToken cancellationToken)
{
    /// <summary>Requests one stream may have in the engine or waiting to be written.</summary>
    public const int MaxInFlight = 256;

    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    // Not SingleReader: that channel cannot count its items, and the writer loop asks whether more are waiting.
    private readonly Channel<ModelStreamInferResponse> _completed = Channel.CreateUnbounded<ModelStreamInferResponse>();

    private int _running;
    private bool _readingDone;

    public async Task RunAsync()
    {
        var writer = WriteResponsesAsync();
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                var message = requests.Current;
                Interlocked.Increment(ref _running);
                // A request that finds an instance free runs on its caller's thread; the hop keeps it off the read
                // loop, so the next request is read, and can join the next batch, while this one runs. Without it a
                // stream of requests to a synchronous backend would run one by one and never batch.
                ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Call.InferAsync(state.Message), (Call: this, Message: message), preferLocal: false);
            }
        }
        finally
        {
            Volatile.Write(ref _readingDone, true);
            if (Interlocked.CompareExchange(ref _running, 0, 0) == 0)
            {
                _completed.Writer.TryComplete();
            }
        }

        await writer.ConfigureAwait(false);
    }

    private async Task InferAsync(ModelInferRequest message)
    {
        ModelStreamInferResponse response;
        try
        {
            response = await InferOneAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ServerLog.StreamRequestFailed(logger, message.ModelName, ex);
            response = Failure(message, new InferenceError(ErrorCode.Internal, "internal server error"));
        }
        catch (OperationCanceledException)
        {
            response = Failure(message, new InferenceError(ErrorCode.Cancelled, "the stream was cancelled"));
        }

        _completed.Writer.TryWrite(response);
        if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _readingDone))
        {
            _completed.Writer.TryComplete();
        }
    }

    private async ValueTask<ModelStreamInferResponse> InferOneAsync(ModelInferRequest message)
    {
        if (!GrpcRequestReader.TryRead(message, out var decoded, out var error))
        {
            return Failure(message, error!);
        }

        var result = await engine.TryInferAsync(decoded.Request, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess
            ? new ModelStreamInferResponse { InferResponse = GrpcResponseWriter.Write(result.Response, decoded.RawOutputs) }
            : Failure(message, result.Error);
    }

    // The response names the request's model and id, so a client can tell which of its requests failed.
    private static ModelStreamInferResponse Failure(ModelInferRequest message, InferenceError error) => new()
    {
        ErrorMessage = error.Message,
        InferResponse = new ModelInferResponse { ModelName = message.ModelName, ModelVersion = message.ModelVersion, Id = message.Id },
    };

    private async Task WriteResponsesAsync()
    {
        var buffered = new WriteOptions(WriteFlags.BufferHint);
        while (await _completed.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (_completed.Reader.TryRead(out var response))
            {
                // Under load several responses are ready at once: all but the last may wait in the buffer, so they
                // leave in one flush instead of one system call each.
                var more = _completed.Reader.Count > 0;
                try
                {
                    if (!cancellationToken.IsCancellationRequested)
                    {
                        responses.WriteOptions = more ? buffered : null;
                        await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException or RpcException)
                {
                    // The client went away or the call ended; the rest are drained so in-flight requests can finish.
                }
                finally
                {
                    _slots.Release();
                }
            }
        }
    }
}
