using Augur.Backends;
using Augur.Diagnostics;

namespace Augur.Scheduling;

/// <summary>Running batches: inline for the request that dispatched its own batch, otherwise on the thread pool.</summary>
internal sealed partial class DynamicBatcher
{
    private async ValueTask<ExecutionOutcome> RunInlineAsync(RunningBatch batch, PendingRequest pending)
    {
        var next = await RunAsync(batch).ConfigureAwait(false);

        // The caller has its answer; whatever is next runs elsewhere so the caller is not kept waiting.
        StartOnThreadPool(next);
        return await pending.Task.ConfigureAwait(false);
    }

    private void StartOnThreadPool(List<RunningBatch>? batches)
    {
        if (batches is null)
        {
            return;
        }

        foreach (var batch in batches)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Batcher.RunChainAsync(state.Batch), (Batcher: this, Batch: batch), preferLocal: false);
        }
    }

    /// <summary>Runs a batch, then keeps the thread on the next batch that became ready when this one finished.</summary>
    private async Task RunChainAsync(RunningBatch batch)
    {
        RunningBatch? current = batch;
        while (current is not null)
        {
            var next = await RunAsync(current).ConfigureAwait(false);
            current = null;
            if (next is { Count: > 0 })
            {
                current = next[0];
                next.RemoveAt(0);
                StartOnThreadPool(next);
            }
        }
    }

    /// <summary>Executes a batch, completes its requests and returns the instance; returns the batches that can start next.</summary>
    private async ValueTask<List<RunningBatch>?> RunAsync(RunningBatch batch)
    {
        var start = _time.Now;
        foreach (var request in batch.Requests)
        {
            _metrics.Queued(_time.Between(request.Arrival, start));
        }

        SchedulerLog.BatchDispatched(_logger, _model, batch.Rows, batch.Requests.Length, batch.Reason.ToTag());
        BatchResult? result = null;
        Exception? failure = null;
        var cancelled = false;
        try
        {
            result = await batch.Instance.ExecuteAsync(batch.Inputs, batch.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (batch.CancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var end = _time.Now;
        var compute = _time.Between(start, end);
        var outcomes = _outcomes.Create(batch, result, failure, cancelled, start, _time);
        _metrics.BatchExecuted(batch.Rows, batch.Reason, compute);
        Adaptive?.Observe(batch.Rows, compute);

        List<RunningBatch>? next = null;
        lock (_gate)
        {
            foreach (var request in batch.Requests)
            {
                request.State = PendingState.Done;
                request.ReleaseWatchers();
            }

            var ticks = end - start;
            _predictedCompute = _predictedCompute == 0 ? ticks : ((_predictedCompute * 4) + ticks) / 5;
            _idle.Push(batch.Instance);
            if (!_disposing)
            {
                next = DispatchLocked(end);
            }
            else if (_idle.Count == _instances.Count)
            {
                _drained.TrySetResult();
            }
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            batch.Requests[i].TrySetResult(outcomes[i]);
        }

        return next;
    }
}
