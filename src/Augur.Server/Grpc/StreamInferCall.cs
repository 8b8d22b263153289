using System.Globalization;
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
/// <para>
/// Steps of one sequence reach the engine in the order they were read: each runs on its own pool thread, so two steps
/// of a sequence could otherwise race to the engine, whose sequence batcher orders a sequence's steps by arrival. A
/// step therefore waits until the stream's previous step of the same sequence has been handed to the engine (the
/// synchronous part of <see cref="InferenceEngine.TryInferAsync"/>, which queues it in its sequence). Steps of different
/// sequences, and requests without a sequence, do not wait for each other.
/// </para>
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

    // Per (model, sequence id): completes once the stream's latest step of that sequence is in the engine. Locked.
    private readonly Dictionary<(string Model, string Sequence), Task> _handedOver = [];

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
                var step = OrderAfterPreviousStep(message);
                Interlocked.Increment(ref _running);
                // A request that finds an instance free runs on its caller's thread; the hop keeps it off the read
                // loop, so the next request is read, and can join the next batch, while this one runs. Without it a
                // stream of requests to a synchronous backend would run one by one and never batch.
                ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Call.InferAsync(state.Message, state.Step), (Call: this, Message: message, Step: step), preferLocal: false);
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

    /// <summary>
    /// For a step of a sequence (a non-empty <c>sequence_id</c> parameter), read on this stream's read loop: the step
    /// handed over before it and the signal this one gives once it is handed over. Null for other requests.
    /// </summary>
    private SequenceStep? OrderAfterPreviousStep(ModelInferRequest message)
    {
        if (!message.Parameters.TryGetValue("sequence_id", out var parameter))
        {
            return null;
        }

        // Spelled as the engine spells it (RequestParameters): an integer id and the same digits as a string are one sequence.
        var id = parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.StringParam => parameter.StringParam,
            InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param > 0 => parameter.Int64Param.ToString(CultureInfo.InvariantCulture),
            InferParameter.ParameterChoiceOneofCase.Uint64Param when parameter.Uint64Param > 0 => parameter.Uint64Param.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        if (string.IsNullOrEmpty(id))
        {
            return null; // No sequence, or a bad id the engine will refuse: nothing to keep in order.
        }

        var step = new SequenceStep((message.ModelName, id));
        lock (_handedOver)
        {
            step.Previous = _handedOver.GetValueOrDefault(step.Key);
            _handedOver[step.Key] = step.HandedOver.Task;
        }

        return step;
    }

    private void HandedOver(SequenceStep step)
    {
        lock (_handedOver)
        {
            if (_handedOver.TryGetValue(step.Key, out var latest) && latest == step.HandedOver.Task)
            {
                _handedOver.Remove(step.Key);
            }
        }

        step.HandedOver.TrySetResult();
    }

    private async Task InferAsync(ModelInferRequest message, SequenceStep? step)
    {
        ModelStreamInferResponse response;
        try
        {
            response = await InferOneAsync(message, step).ConfigureAwait(false);
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

    private async ValueTask<ModelStreamInferResponse> InferOneAsync(ModelInferRequest message, SequenceStep? step)
    {
        ValueTask<InferenceResult> pending;
        DecodedGrpcRequest decoded;
        try
        {
            if (step?.Previous is { IsCompleted: false } previous)
            {
                await previous.ConfigureAwait(false); // Never faults: completed in a finally like this one.
            }

            if (!GrpcRequestReader.TryRead(message, out decoded, out var error))
            {
                return Failure(message, error!);
            }

            // Returns once the step is queued in its sequence (or has run): the next step of the sequence may go.
            pending = engine.TryInferAsync(decoded.Request, cancellationToken);
        }
        finally
        {
            if (step is not null)
            {
                HandedOver(step);
            }
        }

        var result = await pending.ConfigureAwait(false);
        return result.IsSuccess
            ? new ModelStreamInferResponse { InferResponse = GrpcResponseWriter.Write(result.Response, decoded.RawOutputs) }
            : Failure(message, result.Error);
    }

    /// <summary>A step of a sequence on this stream: its key, the previous step's hand-over and its own.</summary>
    private sealed class SequenceStep((string Model, string Sequence) key)
    {
        public (string Model, string Sequence) Key { get; } = key;

        public Task? Previous { get; set; }

        public TaskCompletionSource HandedOver { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
