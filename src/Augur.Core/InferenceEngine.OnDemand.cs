using Augur.Engine.Budget;
using Augur.Errors;
using Augur.Inference;

namespace Augur;

/// <summary>
/// Models loaded on their first request under a memory budget (<see cref="InferenceEngineBuilder.UseMemoryBudget"/>):
/// every door reaches this through <see cref="TryInferAsync"/>.
/// </summary>
public sealed partial class InferenceEngine
{
    /// <summary>The memory budget in bytes; null when the engine has none and loads every model at start-up.</summary>
    public long? MemoryBudget => _controller.Budget?.Bytes;

    /// <summary>
    /// Null when a request for the model (or version) can be served: it is ready, or, under a memory budget, it is not
    /// loaded and loads on the request. Otherwise why not, as <see cref="CheckReady"/> says it. A door uses this to refuse
    /// an unknown or failed model before it reads the request body; <see cref="CheckReady"/> is what readiness reports.
    /// </summary>
    public InferenceError? CheckCanInfer(string model, string? version)
    {
        var error = CheckReady(model, version);
        return error is not null && OnDemandOf(model, error) is not null ? null : error;
    }

    /// <summary>What a model the budget keeps unloaded needs to load, when <paramref name="error"/> is that it is not loaded.</summary>
    private OnDemandModel? OnDemandOf(string model, InferenceError error) =>
        error.Code == ErrorCode.Unavailable && Volatile.Read(ref _disposed) == 0 && _controller.Budget is not null
        && _set.Current.TryGetValue(model, out var entry) ? entry.OnDemand : null;

    /// <summary>
    /// Loads the model (one load, shared by every request that waits for it; unloading the least recently used models
    /// to make room), then runs the request. The wait is bounded by the request's timeout (or the model's default
    /// timeout), counted from its arrival as the queue's is, and by its cancellation; the load itself goes on.
    /// </summary>
    private async ValueTask<InferenceResult> LoadThenInferAsync(InferenceRequest request, OnDemandModel demand, long arrival, CancellationToken cancellationToken)
    {
        // A model loaded for this request can be unloaded again before the request leases it, when the budget is too
        // small for the models in use at once; it is loaded again a few times, then the request gives up.
        const int Attempts = 3;
        var model = request.ModelName;
        var timeout = request.Timeout ?? demand.DefaultTimeout;
        if (timeout >= MaxWait)
        {
            timeout = null;
        }

        for (var attempt = 1; ; attempt++)
        {
            var load = _controller.LoadOnDemandAsync(model);
            InferenceError? refused;
            try
            {
                refused = await load.WaitAsync(Remaining(timeout, arrival), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return BudgetErrors.TimedOut(model, timeout!.Value);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return BudgetErrors.Cancelled(model);
            }

            if (refused is not null)
            {
                return refused;
            }

            if (TryLease(request, arrival, out var version, out var error))
            {
                return await RunLeasedAsync(request, version, arrival, cancellationToken).ConfigureAwait(false);
            }

            // A load that failed is the model's state now (its reason); so is a version the policy did not select.
            if (OnDemandOf(model, error) is null)
            {
                return error;
            }

            if (attempt == Attempts)
            {
                return BudgetErrors.UnloadedAgain(model);
            }
        }
    }

    // Timers take at most this; a longer timeout is no timeout in practice (as in the scheduler).
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private TimeSpan Remaining(TimeSpan? timeout, long arrival)
    {
        if (timeout is not { } limit)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var left = limit - _time.GetElapsedTime(arrival);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
