using System.Net.Sockets;
using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Workers.Protocol;
using Augur.Workers.Wire;
using Grpc.Core;
using Grpc.Net.Client;
using ErrorCode = Augur.Errors.ErrorCode;
using TensorSpec = Augur.Models.TensorSpec;

namespace Augur.Workers.Client;

/// <summary>
/// Calls one model worker (<c>augur worker</c> or a <see cref="Hosting.WorkerHost"/>) over one kept HTTP/2 connection:
/// a Unix socket or TCP. Thread-safe; each <see cref="ExecuteAsync"/> is one round trip carrying a whole batch. A worker on
/// a Unix socket that describes a batch socket gets its batches there instead, on one kept connection of their own
/// (length-prefixed protobuf without HTTP/2; see <see cref="WorkerClientOptions.UseBatchSocket"/>).
/// </summary>
/// <remarks>
/// <para>A model's errors come back as the worker reported them. A worker that cannot be reached, whose connection breaks
/// or that was <see cref="Close">closed</see> fails the batch with <see cref="ErrorCode.Unavailable"/> (HTTP 503) and a
/// message naming the worker.</para>
/// <para>The channel reconnects by itself when the worker comes back at the same endpoint; after a restart, call
/// <see cref="DescribeAsync"/> again. <see cref="Close"/> is final: a new worker process gets a new client.</para>
/// </remarks>
public sealed class WorkerClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ModelWorker.ModelWorkerClient _worker;
    private readonly BatchSocketChannel? _batchSocket;
    private readonly WorkerClientOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _closed = new();
    private volatile Described? _described;
    private volatile string? _closeReason;

    private WorkerClient(WorkerEndpoint endpoint, WorkerClientOptions options)
    {
        Endpoint = endpoint;
        _options = options;
        _time = options.Time;
        _channel = WorkerChannel.Create(endpoint, options);
        _worker = new ModelWorker.ModelWorkerClient(_channel);
        if (endpoint.IsUnixSocket && options.UseBatchSocket && BatchFrame.CheckSocketPath(endpoint.SocketPath) is null)
        {
            // At this side's path to the worker's socket, not the path the worker names: a sidecar may mount the shared
            // folder elsewhere than the server does. (A worker whose batch socket path is too long for an address has none.)
            var keepAlive = new BatchKeepAlive(CheckAliveAsync, options.KeepAlivePingDelay, options.KeepAlivePingTimeout, _time);
            _batchSocket = new BatchSocketChannel(BatchFrame.SocketPathFor(endpoint.SocketPath), options.ConnectTimeout, _time, keepAlive);
        }
    }

    /// <summary>Where the worker listens.</summary>
    public WorkerEndpoint Endpoint { get; }

    /// <summary>How errors name the worker (see <see cref="WorkerClientOptions.Name"/>).</summary>
    public string Name => _options.Name ?? _described?.Name ?? $"the worker at {Endpoint}";

    /// <summary>What the last <see cref="DescribeAsync"/> returned; null before the first.</summary>
    public WorkerDescription? Description => _described?.Description;

    /// <summary>True once <see cref="Close"/> or <see cref="Dispose"/> was called.</summary>
    public bool IsClosed => _closeReason is not null;

    /// <summary>The batch socket connection; null when the client sends every batch over gRPC (for tests).</summary>
    internal BatchSocketChannel? BatchSocket => _batchSocket;

    /// <summary>
    /// A client for the worker at <paramref name="endpoint"/>. Nothing connects yet: the first call opens the connection,
    /// which later calls share.
    /// </summary>
    public static WorkerClient Create(WorkerEndpoint endpoint, WorkerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new WorkerClient(endpoint, options ?? new WorkerClientOptions());
    }

    /// <summary>
    /// Asks the worker what it loaded and keeps the answer for <see cref="ExecuteAsync"/>, which sends inputs and names
    /// outputs in its signature's order. Throws <see cref="InferenceException"/> with <see cref="ErrorCode.Unavailable"/>
    /// when the worker cannot be reached, and <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<WorkerDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        DescribeResponse response;
        var (token, linked) = CallToken(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                ThrowIfClosed();
                try
                {
                    response = await _worker.DescribeAsync(new DescribeRequest(), new CallOptions(cancellationToken: token)).ResponseAsync.ConfigureAwait(false);
                    break;
                }
                // Describe touches no model: a call that failed on a connection the worker had closed (it restarted at the
                // same endpoint, and this side had not noticed yet) goes once more, on a new connection.
                catch (RpcException) when (attempt == 0)
                {
                }
            }
        }
        catch (Exception ex) when (IsCallFailure(ex, cancellationToken))
        {
            throw new InferenceException(Unavailable(ex));
        }
        finally
        {
            linked?.Dispose();
        }

        var described = Described.Read(response, Endpoint) ?? throw new InferenceException(new InferenceError(
            ErrorCode.Internal, $"{Name} described a signature this client cannot read: {Described.Problem(response)}"));
        _described = described;
        return described.Description;
    }

    /// <summary>
    /// Runs <paramref name="batch"/> on the worker: per request (in order) every model output in signature order, with
    /// the compute timings (see remarks), or one error for the whole batch. The first call describes the worker when
    /// <see cref="DescribeAsync"/> was not called yet. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires (the worker is told and stops the run); every other failure is a value.
    /// </summary>
    /// <remarks>
    /// Timings: <see cref="BatchTimings.Input"/> is encoding here (on the batch socket, serialising the frame too) plus the
    /// worker's input preparation, <see cref="BatchTimings.Output"/> the worker's output copy plus decoding here (on the
    /// batch socket, parsing the frame too), and <see cref="BatchTimings.Infer"/> the rest of the round trip: the model's
    /// run and the transport both ways.
    /// </remarks>
    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var described = _described;
        if (described is null)
        {
            try
            {
                await DescribeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InferenceException ex)
            {
                return BatchResult.Failure(ex.Error);
            }

            described = _described!;
        }

        var start = _time.GetTimestamp();
        if (!described.TryEncode(batch, out var request, out var invalid))
        {
            return BatchResult.Failure(invalid);
        }

        // A batch too large for a batch socket frame goes over gRPC, whose limit is protobuf's own.
        var batchSocket = described.ServesBatchSocket ? _batchSocket : null;
        var length = batchSocket is not null ? request.CalculateSize() : 0;
        if (length > BatchFrame.MaxLength)
        {
            batchSocket = null;
        }

        long sent, received;
        ExecuteResponse response;
        var (token, linked) = CallToken(cancellationToken);
        try
        {
            if (batchSocket is not null)
            {
                ThrowIfClosed();
                (response, sent, received) = await batchSocket.ExecuteAsync(request, length, token).ConfigureAwait(false);
            }
            else
            {
                sent = _time.GetTimestamp();
                response = await CallExecuteAsync(request, token).ConfigureAwait(false);
                received = _time.GetTimestamp();
            }
        }
        catch (Exception ex) when (IsCallFailure(ex, cancellationToken))
        {
            return BatchResult.Failure(Unavailable(ex));
        }
        finally
        {
            linked?.Dispose();
        }

        if (response.ResultCase != ExecuteResponse.ResultOneofCase.Outputs)
        {
            return BatchResult.Failure(response.Error is { } error
                ? WireErrors.FromWire(error)
                : new InferenceError(ErrorCode.Internal, $"{Name} answered with neither outputs nor an error"));
        }

        if (!described.TryDecode(response.Outputs, batch.Count, out var outputs, out var problem))
        {
            return BatchResult.Failure(new InferenceError(ErrorCode.Internal, $"{Name} returned outputs that do not agree with model '{described.Description.ModelName}': {problem}"));
        }

        var end = _time.GetTimestamp();
        var workerInput = FromNanos(response.InputNanos);
        var workerOutput = FromNanos(response.OutputNanos);
        var roundTrip = _time.GetElapsedTime(sent, received);
        var infer = roundTrip - workerInput - workerOutput;
        return BatchResult.Success(outputs, new BatchTimings(
            _time.GetElapsedTime(start, sent) + workerInput,
            infer < TimeSpan.Zero ? TimeSpan.Zero : infer,
            workerOutput + _time.GetElapsedTime(received, end)));
    }

    // The batch socket's keep-alive check: any answer to Health, ready or not, shows the worker alive.
    private async Task CheckAliveAsync(CancellationToken cancellationToken) =>
        await _worker.HealthAsync(new HealthRequest(), new CallOptions(cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);

    private async Task<ExecuteResponse> CallExecuteAsync(ExecuteRequest request, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            ThrowIfClosed();
            try
            {
                return await _worker.ExecuteAsync(request, new CallOptions(cancellationToken: token)).ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex) when (attempt == 0 && NeverReachedWorker(ex))
            {
            }
        }
    }

    /// <summary>
    /// Asks whether the worker can run batches. A worker that cannot be reached is not ready, with the reason; throws only
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<WorkerHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var (token, linked) = CallToken(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                ThrowIfClosed();
                try
                {
                    var response = await _worker.HealthAsync(new HealthRequest(), new CallOptions(cancellationToken: token)).ResponseAsync.ConfigureAwait(false);
                    return new WorkerHealth(response.Ready, response.Ready ? null : response.Reason);
                }
                // As Describe: touches no model, so one failed call goes once more.
                catch (RpcException) when (attempt == 0)
                {
                }
            }
        }
        catch (Exception ex) when (IsCallFailure(ex, cancellationToken))
        {
            return new WorkerHealth(false, Unavailable(ex).Message);
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <summary>
    /// Ends the client at once: calls in flight and every later call fail with <see cref="ErrorCode.Unavailable"/> and
    /// "<see cref="Name"/> is unavailable: <paramref name="reason"/>" (e.g. "the worker process exited with code 137").
    /// Call it when the worker's process exits, so no request waits for a connection that cannot answer. The first
    /// reason given is kept.
    /// </summary>
    public void Close(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            _closed.Cancel();
            _batchSocket?.Dispose();
        }
    }

    /// <summary>Closes the client (see <see cref="Close"/>) and its connection.</summary>
    public void Dispose()
    {
        Close("the client was disposed");
        // _closed is not disposed: a call that starts after this still reads its token, and finds the client closed.
        _channel.Dispose();
    }

    // One token that fires when the caller cancels or the client closes; a linked source only when the caller's can fire.
    private (CancellationToken Token, CancellationTokenSource? Linked) CallToken(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return (_closed.Token, null);
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        return (linked.Token, linked);
    }

    private void ThrowIfClosed()
    {
        if (_closeReason is not null)
        {
            throw new OperationCanceledException(_closed.Token);
        }
    }

    // Anything that ends a call other than the caller's own cancellation: the client closed, the worker unreachable, the
    // connection lost. The worker reports a model's failures as values, so a failed call is never the model's.
    private static bool IsCallFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is OperationCanceledException or RpcException or IOException or HttpRequestException or SocketException or ObjectDisposedException;

    /// <summary>
    /// True when a batch failed writing to a connection the worker had already closed (it stopped, or restarted at the
    /// same endpoint) before this side noticed: the write fails with EPIPE, so no worker saw the batch, and it is sent
    /// once more, on a new connection. Any other failure (a reset while the batch runs: the worker crashed) may have
    /// reached a worker, and the batch is not sent again.
    /// </summary>
    private static bool NeverReachedWorker(RpcException ex)
    {
        for (var inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.Shutdown })
            {
                return true;
            }
        }

        return false;
    }

    private InferenceError Unavailable(Exception ex)
    {
        if (_closeReason is { } reason)
        {
            return InferenceError.Unavailable($"{Name} is unavailable: {reason}");
        }

        var detail = ex switch
        {
            RpcException { Status: var status } => status.DebugException is { } inner && !status.Detail.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{status.Detail.TrimEnd('.')} ({inner.Message.TrimEnd('.')})"
                : status.Detail,
            _ => ex.Message,
        };
        return InferenceError.Unavailable($"{Name} is unavailable: {detail.TrimEnd('.')}");
    }

    private static TimeSpan FromNanos(long nanos) => TimeSpan.FromTicks(nanos / 100);

    /// <summary>A worker's description with what encoding and decoding need from it, prepared once.</summary>
    private sealed class Described
    {
        private readonly TensorSpec[] _inputs;
        private readonly string[] _outputs;

        private Described(WorkerDescription description, string name)
        {
            Description = description;
            Name = name;
            _inputs = description.Signature.Inputs.ToArray();
            _outputs = description.Signature.Outputs.Select(o => o.Name).ToArray();
        }

        public WorkerDescription Description { get; }

        public string Name { get; }

        /// <summary>True when the worker takes batches on its batch socket.</summary>
        public bool ServesBatchSocket => Description.BatchSocket is not null;

        public static Described? Read(DescribeResponse response, WorkerEndpoint endpoint)
        {
            if (Problem(response) is not null)
            {
                return null;
            }

            var signature = new ModelSignature(
                response.Inputs.Select(i => WireTensors.TryFromWire(i, out var spec, out _) ? spec : null!).ToArray(),
                response.Outputs.Select(o => WireTensors.TryFromWire(o, out var spec, out _) ? spec : null!).ToArray());
            var description = new WorkerDescription(
                response.ModelName, response.ModelVersion, response.Platform, signature, response.HasMaxBatchSize ? response.MaxBatchSize : null, response.ProcessId)
            {
                BatchSocket = response.BatchSocket.Length > 0 ? response.BatchSocket : null,
            };
            return new Described(description, $"the worker of model '{response.ModelName}' version {response.ModelVersion} at {endpoint}");
        }

        public static string? Problem(DescribeResponse response)
        {
            foreach (var spec in response.Inputs.Concat(response.Outputs))
            {
                if (!WireTensors.TryFromWire(spec, out _, out var problem))
                {
                    return problem;
                }
            }

            return null;
        }

        public bool TryEncode(IReadOnlyList<InferenceRequest> batch, out ExecuteRequest message, out InferenceError error)
        {
            message = new ExecuteRequest();
            error = null!;
            for (var r = 0; r < batch.Count; r++)
            {
                var wire = new Request();
                foreach (var spec in _inputs)
                {
                    if (batch[r].FindInput(spec.Name) is not { } tensor)
                    {
                        error = InferenceError.Invalid($"request {r} of the batch for model '{Description.ModelName}' has no input '{spec.Name}'");
                        return false;
                    }

                    wire.Inputs.Add(WireTensors.ToWire(tensor));
                }

                message.Requests.Add(wire);
            }

            return true;
        }

        public bool TryDecode(Outputs wire, int requests, out IReadOnlyList<InferenceTensor>[] outputs, out string? problem)
        {
            outputs = new IReadOnlyList<InferenceTensor>[wire.Results.Count];
            if (outputs.Length != requests)
            {
                problem = $"{outputs.Length} results for a batch of {requests} requests";
                return false;
            }

            for (var r = 0; r < outputs.Length; r++)
            {
                var tensors = wire.Results[r].Outputs;
                if (tensors.Count != _outputs.Length)
                {
                    problem = $"{tensors.Count} outputs for request {r}; the model has {_outputs.Length}";
                    return false;
                }

                var result = new InferenceTensor[_outputs.Length];
                for (var o = 0; o < result.Length; o++)
                {
                    if (!WireTensors.TryFromWire(tensors[o], _outputs[o], out result[o], out problem))
                    {
                        return false;
                    }
                }

                outputs[r] = result;
            }

            problem = null;
            return true;
        }
    }
}
