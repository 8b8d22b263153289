using System.Collections.Concurrent;
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
    // A model loaded for a request can be unloaded again before the request leases it, when the budget is too small
    // for the models in use at once; it is loaded again this many times in all, then the request gives up.
    private const int LoadAttempts = 3;

    // Timers take at most this; a longer timeout is no timeout in practice (as in the scheduler).
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly ConcurrentDictionary<string, SequenceTurns> _sequenceTurns = new(StringComparer.Ordinal);

    /// <summary>The memory budget in bytes; null when the engine has none and loads every model at start-up.</summary>
    public long? MemoryBudget => _controller.Budget?.Bytes;

    /// <summary>
    /// Null when a request for the model (or version) can be served: it is loaded (its instances may be down for a
    /// moment, e.g. a worker restarting: the instance then answers, after its restart or with its reason), or, under a
    /// memory budget, it is not loaded and loads on the request. Otherwise why not, as <see cref="CheckReady"/> says it.
    /// A door uses this to refuse an unknown or failed model before it reads the request body; <see cref="CheckReady"/>
    /// is what readiness reports.
    /// </summary>
    public InferenceError? CheckCanInfer(string model, string? version)
    {
        var error = CheckLoaded(model, version);
        return error is not null && OnDemandOf(model, error) is not null ? null : error;
    }

    /// <summary>What a model the budget keeps unloaded needs to load, when <paramref name="error"/> is that it is not loaded.</summary>
    private OnDemandModel? OnDemandOf(string model, InferenceError error) =>
        error.Code == ErrorCode.Unavailable ? OnDemandOf(model) : null;

    private OnDemandModel? OnDemandOf(string model) =>
        Volatile.Read(ref _disposed) == 0 && _controller.Budget is not null && _set.Current.TryGetValue(model, out var entry) ? entry.OnDemand : null;

    /// <summary>True when <paramref name="request"/> is a sequence step that must queue behind earlier steps still waiting for a load.</summary>
    private bool MustWaitItsTurn(InferenceRequest request) =>
        request.Sequence is not null && _controller.Budget is not null
        && _sequenceTurns.TryGetValue(request.ModelName, out var turns) && turns.AnyWaiting;

    /// <summary>
    /// Loads the model if it is on demand (one load, shared by every request that waits for it; the least recently used
    /// models are unloaded to make room), then runs the request. The wait is bounded by the request's timeout (or the
    /// model's default timeout), counted from its arrival as the queue's is, and by its cancellation; the load itself
    /// goes on. Steps of sequences go on in the order they came (<see cref="SequenceTurns"/>).
    /// </summary>
    private async ValueTask<InferenceResult> InferAfterLoadAsync(InferenceRequest request, OnDemandModel? demand, long arrival, CancellationToken cancellationToken)
    {
        var model = request.ModelName;
        var timeout = request.Timeout ?? demand?.DefaultTimeout;
        if (timeout >= MaxWait)
        {
            timeout = null;
        }

        var turn = request.Sequence is null ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var turns = turn is null ? null : _sequenceTurns.GetOrAdd(model, static _ => new SequenceTurns());
        var previous = turns?.Enter(turn!.Task);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                InferenceError? refused = null;
                try
                {
                    if (OnDemandOf(model) is not null)
                    {
                        refused = await _controller.LoadOnDemandAsync(model).WaitAsync(Remaining(timeout, arrival), _time, cancellationToken).ConfigureAwait(false);
                    }

                    if (previous is not null)
                    {
                        await previous.WaitAsync(Remaining(timeout, arrival), _time, cancellationToken).ConfigureAwait(false);
                        previous = null;
                    }
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
                    // Handed to the engine once this returns (queued in its sequence, or run): the next step may go.
                    var running = RunLeasedAsync(request, version, arrival, cancellationToken);
                    turns?.Leave(turn!);
                    return await running.ConfigureAwait(false);
                }

                // A load that failed is the model's state now (its reason); so is a version the policy did not select.
                if (OnDemandOf(model, error) is null)
                {
                    return error;
                }

                if (attempt == LoadAttempts)
                {
                    return BudgetErrors.UnloadedAgain(model);
                }
            }
        }
        finally
        {
            turns?.Leave(turn!);
        }
    }

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
