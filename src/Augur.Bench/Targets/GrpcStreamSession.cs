using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Augur.Protocol.Grpc;
using Grpc.Core;

namespace Augur.Bench.Targets;

/// <summary>
/// One open <c>ModelStreamInfer</c> call. Requests are written one at a time (a gRPC stream takes one writer) with a
/// fresh id each; a reader matches each answer to its request by id, so requests may be in flight together and
/// answered in any order. An <c>error_message</c> fails only its own request. Closing completes the request stream.
/// </summary>
internal sealed class GrpcStreamSession : IStreamSession
{
    private readonly AsyncDuplexStreamingCall<ModelInferRequest, ModelStreamInferResponse> _call;
    private readonly ModelInferRequest? _template;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<QueryOutcome>> _pending = new(StringComparer.Ordinal);
    private readonly Task _reader;
    private readonly IDisposable? _ownedChannel;
    private long _nextId;
    // Once the stream has ended, the failure every request still waiting (or sent later) gets.
    private StrongBox<QueryOutcome>? _endedBox;

    /// <summary>
    /// Opens the call; <paramref name="template"/> is the request <see cref="IssueAsync"/> sends, if any;
    /// <paramref name="ownedChannel"/>, if given, is disposed with the session.
    /// </summary>
    public GrpcStreamSession(GRPCInferenceService.GRPCInferenceServiceClient client, ModelInferRequest? template, TimeSpan timeout, IDisposable? ownedChannel = null)
    {
        _ownedChannel = ownedChannel;
        _template = template;
        _timeout = timeout;
        _call = client.ModelStreamInfer();
        _reader = Task.Run(ReadAsync);
    }

    private QueryOutcome? Ended => Volatile.Read(ref _endedBox)?.Value;

    /// <inheritdoc />
    public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) =>
        SendAsync(_template ?? throw new InvalidOperationException("this stream was opened without a request to send"), cancellationToken);

    /// <summary>Sends <paramref name="template"/> under a fresh id and waits for its answer.</summary>
    public async ValueTask<QueryOutcome> SendAsync(ModelInferRequest template, CancellationToken cancellationToken)
    {
        if (Ended is { } ended)
        {
            return ended;
        }

        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        // A shallow copy: the tensors and raw contents are shared with the template and only read while sending.
        var request = new ModelInferRequest
        {
            ModelName = template.ModelName,
            ModelVersion = template.ModelVersion,
            Id = id,
            Parameters = { template.Parameters },
            Inputs = { template.Inputs },
            Outputs = { template.Outputs },
            RawInputContents = { template.RawInputContents },
        };
        var answer = new TaskCompletionSource<QueryOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (Ended is { } endedMeanwhile)
            {
                return endedMeanwhile;
            }

            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }

            return await answer.Task.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return QueryOutcome.Failed(GrpcTarget.ClassifyCall(ex), $"gRPC {ex.StatusCode}: {ex.Status.Detail}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException)
        {
            // A broken stream, or no answer within the timeout: no status came from the server.
            return QueryOutcome.Failed(StatusClasses.Transport, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadAsync()
    {
        // A stream that ends while requests wait ends without their answers: no status for them came from the server.
        var ended = QueryOutcome.Failed(StatusClasses.Transport, "the stream ended");
        try
        {
            await foreach (var response in _call.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            {
                if (response.InferResponse?.Id is { } id && _pending.TryRemove(id, out var answer))
                {
                    answer.TrySetResult(response.ErrorMessage.Length == 0
                        ? QueryOutcome.Answered(GrpcTarget.OkStatus, PredictionSourceReader.Read(response.InferResponse))
                        : QueryOutcome.Failed(StatusClasses.StreamErrorMessage, $"stream error: {response.ErrorMessage}"));
                }
            }
        }
        catch (RpcException ex)
        {
            ended = QueryOutcome.Failed(GrpcTarget.ClassifyCall(ex), $"the stream failed: gRPC {ex.StatusCode}: {ex.Status.Detail}");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            ended = QueryOutcome.Failed(StatusClasses.Transport, $"the stream failed: {ex.Message}");
        }

        Volatile.Write(ref _endedBox, new StrongBox<QueryOutcome>(ended));
        foreach (var answer in _pending.Values)
        {
            answer.TrySetResult(ended);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }

            await _reader.WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException or TimeoutException)
        {
            // The stream already failed or the server is gone; disposing the call below releases it either way.
        }
        finally
        {
            _call.Dispose();
            _ownedChannel?.Dispose();
        }
    }
}
