using System.Threading.Channels;
using Augur.Backends;
using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;
using Microsoft.Extensions.Logging;

namespace Augur.Scheduling;

/// <summary>
/// The instances of one model version and the requests waiting for them. A request takes the next idle
/// instance (waiting in FIFO order when all are busy), runs as a batch of one, and gives the instance back.
/// The dynamic batcher builds on the same instances and outcome type.
/// </summary>
internal sealed class InstancePool : IAsyncDisposable
{
    private readonly IReadOnlyList<IModelInstance> _instances;
    private readonly Channel<IModelInstance> _idle;
    private readonly string _model;
    private readonly int _outputCount;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _disposing;

    public InstancePool(string model, IReadOnlyList<IModelInstance> instances, int outputCount, TimeProvider time, ILogger logger)
    {
        _model = model;
        _instances = instances;
        _outputCount = outputCount;
        _time = time;
        _logger = logger;
        _idle = Channel.CreateBounded<IModelInstance>(new BoundedChannelOptions(instances.Count) { SingleReader = false, SingleWriter = false });
        foreach (var instance in instances)
        {
            _idle.Writer.TryWrite(instance);
        }
    }

    public IReadOnlyList<IModelInstance> Instances => _instances;

    public async ValueTask<ExecutionOutcome> ExecuteAsync(InferenceRequest request, long arrivalTimestamp, CancellationToken cancellationToken)
    {
        IModelInstance instance;
        try
        {
            instance = await _idle.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ExecutionOutcome.Failed(new InferenceError(ErrorCode.Cancelled, $"the request for model '{_model}' was cancelled while queued"));
        }
        catch (ChannelClosedException)
        {
            return ExecutionOutcome.Failed(InferenceError.Unavailable($"model '{_model}' is being unloaded"));
        }

        if (Volatile.Read(ref _disposing) != 0)
        {
            _idle.Writer.TryWrite(instance);
            return ExecutionOutcome.Failed(InferenceError.Unavailable($"model '{_model}' is being unloaded"));
        }

        var queue = _time.GetElapsedTime(arrivalTimestamp);
        try
        {
            var result = await instance.ExecuteAsync([request], cancellationToken).ConfigureAwait(false);
            return ToOutcome(result, queue);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExecutionOutcome.Failed(new InferenceError(ErrorCode.Cancelled, $"the request for model '{_model}' was cancelled while running"));
        }
        catch (Exception ex)
        {
            EngineLog.BackendFailed(_logger, _model, ex);
            return ExecutionOutcome.Failed(new InferenceError(ErrorCode.Internal, $"model '{_model}' failed: {ex.Message}"));
        }
        finally
        {
            _idle.Writer.TryWrite(instance);
        }
    }

    private ExecutionOutcome ToOutcome(BatchResult result, TimeSpan queue)
    {
        if (result.Error is not null)
        {
            return ExecutionOutcome.Failed(result.Error);
        }

        var outputs = result.Outputs;
        if (outputs is null || outputs.Count != 1 || outputs[0].Count != _outputCount)
        {
            return ExecutionOutcome.Failed(new InferenceError(
                ErrorCode.Internal,
                $"model '{_model}' returned {outputs?.Count ?? 0} results for a batch of 1 (or the wrong number of outputs)"));
        }

        var t = result.Timings;
        return new ExecutionOutcome(outputs[0], null, new InferenceTimings(queue, t.Input, t.Infer, t.Output));
    }

    /// <summary>
    /// Waits for every instance to come back (running batches finish; queued requests that win an instance hand it
    /// straight back and fail as unavailable), then disposes them. An instance is never disposed mid-batch.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        for (var i = 0; i < _instances.Count; i++)
        {
            await _idle.Reader.ReadAsync().ConfigureAwait(false);
        }

        _idle.Writer.TryComplete();
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }
}
