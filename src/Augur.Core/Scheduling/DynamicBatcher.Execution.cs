using Augur.Backends;
using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;

namespace Augur.Scheduling;

/// <summary>
/// Running batches: on the caller's thread for a request that dispatched its own batch on arrival, otherwise on the
/// continuation of the batch's first request (its leader); or, for an instance whose runs block for long, on its
/// <see cref="ComputeThread"/>.
/// </summary>
internal sealed partial class DynamicBatcher
{
    private async ValueTask<ExecutionOutcome> RunInlineAsync(RunningBatch batch, PendingRequest pending)
    {
        var (_, next) = await RunAsync(batch).ConfigureAwait(false);

        // The caller has its answer; whatever is next goes to its own leaders so the caller is not kept waiting.
        HandOff(next);
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>Waits for a queued request's outcome, or for its turn to lead (run) the batch it was put in.</summary>
    private async ValueTask<ExecutionOutcome> WaitAsync(PendingRequest pending)
    {
        var outcome = await pending.Task.ConfigureAwait(false);
        if (pending.Leads is not { } batch)
        {
            return outcome;
        }

        var (outcomes, next) = await RunAsync(batch).ConfigureAwait(false);
        HandOff(next);
        return outcomes[0];
    }

    /// <summary>
    /// Starts batches that were formed off their requests' threads (an instance came back, a timer fired) by waking
    /// each batch's first request to run it. Its continuation was going to be scheduled anyway, so the batch costs
    /// one thread-pool hop instead of two (one to run it, one to deliver the result). On the fraud sample over REST the
    /// two designs measured the same requests/s (docs/benchmarks/README.md). A batch for an instance whose runs block
    /// for long goes to that instance's <see cref="ComputeThread"/> instead.
    /// </summary>
    private void HandOff(List<RunningBatch>? batches)
    {
        if (batches is null)
        {
            return;
        }

        foreach (var batch in batches)
        {
            if (_threads?.For(batch.Instance) is { } thread)
            {
                thread.Post(batch);
                continue;
            }

            var leader = batch.Requests[0];
            leader.Leads = batch;
            leader.TrySetResult(default);
        }
    }

    /// <summary>
    /// Runs a batch on its instance's <see cref="ComputeThread"/>: every request gets its outcome (none leads), and the
    /// batches that can start next go where they belong, the instance's own next batch back onto this thread.
    /// </summary>
    private void RunOnComputeThread(RunningBatch batch)
    {
        var run = RunAsync(batch);
        var (_, next) = run.IsCompleted ? run.Result : run.AsTask().GetAwaiter().GetResult();
        HandOff(next);
    }

    /// <summary>
    /// Executes a batch, completes its requests (a leader's completion was its wake-up, so it takes its outcome from the
    /// result) and returns the instance; returns the outcomes and the batches that can start next.
    /// </summary>
    private async ValueTask<(ExecutionOutcome[] Outcomes, List<RunningBatch>? Next)> RunAsync(RunningBatch batch)
    {
        var start = _time.Now;
        ExecutionOutcome[] outcomes;
        try
        {
            outcomes = await ExecuteAsync(batch, start).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever went wrong around the backend (a logger or a metrics listener that threw), the instance goes
            // back and every request gets an answer.
            EngineLog.BackendFailed(_logger, _model, ex);
            outcomes = Array.ConvertAll(batch.Requests, _ => ExecutionOutcome.Failed(new InferenceError(ErrorCode.Internal, $"model '{_model}' failed: {ex.Message}")));
        }

        var end = _time.Now;
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
            if (batch.ComputeTicks >= 0)
            {
                _cost.Observe(batch.Rows, batch.ComputeTicks);
            }

            if (batch.Reason is DispatchReason.Target or DispatchReason.Waited)
            {
                AutoWait?.Finished(end - batch.Requests.Min(r => r.Arrival));
            }
            _idle.Add(batch.Instance);
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

        return (outcomes, next);
    }

    private async ValueTask<ExecutionOutcome[]> ExecuteAsync(RunningBatch batch, long start)
    {
        foreach (var request in batch.Requests)
        {
            _metrics.Queued(_time.Between(request.Arrival, start));
        }

        SchedulerLog.BatchDispatched(_logger, _model, batch.Rows, batch.Requests.Length, batch.Reason.ToTag());
        var (result, failure, cancelled) = await RunOnInstanceAsync(batch.Instance, batch.Inputs, batch.CancellationToken).ConfigureAwait(false);
        var compute = _time.Between(start, _time.Now);
        _metrics.BatchExecuted(batch.Rows, batch.Reason, compute);
        if (result is { Error: null })
        {
            // Only batches that ran tell the limit and the cost curve anything; a fast failure or a cancelled run would mislead them.
            Adaptive?.Observe(batch.Rows, compute);
            batch.ComputeTicks = _time.ToTicks(compute);
        }

        if (result?.Error is { Code: ErrorCode.InvalidArgument } && batch.Requests.Length > 1)
        {
            return await RunAloneAsync(batch).ConfigureAwait(false);
        }

        return _outcomes.Create(batch.Requests, result, failure, cancelled, start, _time);
    }

    /// <summary>
    /// The backend refused a batch of several requests as invalid input (ONNX Runtime failing on a value the signature
    /// cannot rule out). That may be one client's input, so each request runs again alone and gets its own answer;
    /// the others are not failed for it.
    /// </summary>
    private async ValueTask<ExecutionOutcome[]> RunAloneAsync(RunningBatch batch)
    {
        var outcomes = new ExecutionOutcome[batch.Requests.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            var request = batch.Requests[i];
            var start = _time.Now;
            var (result, failure, cancelled) = await RunOnInstanceAsync(batch.Instance, [request.Request], request.CancellationToken).ConfigureAwait(false);
            outcomes[i] = _outcomes.Create([request], result, failure, cancelled, start, _time)[0];
        }

        return outcomes;
    }

    private async ValueTask<(BatchResult? Result, Exception? Failure, bool Cancelled)> RunOnInstanceAsync(
        IModelInstance instance, IReadOnlyList<InferenceRequest> inputs, CancellationToken cancellationToken)
    {
        try
        {
            var start = _time.Now;
            var run = instance.ExecuteAsync(inputs, cancellationToken);
            _threads?.Ran(instance, run.IsCompleted ? _time.Now - start : 0);
            return (await run.ConfigureAwait(false), null, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, null, true);
        }
        catch (Exception ex)
        {
            return (null, ex, false);
        }
    }
}
