using Augur.Backends;
using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Scheduling;

/// <summary>
/// The scheduler of one model version: its request queue, its instances and the batches between them.
/// <para>
/// A request is admitted (or rejected when the queue is full), queued by priority, and taken into a batch when
/// <see cref="BatchPolicy"/> says so and an instance is idle. Every decision happens under one lock, on whichever
/// thread changed the state: an arriving request, a finishing batch, a timer, a cancellation. A request that is
/// dispatched on arrival runs on its caller's thread, with no hand-off; any other batch is run by its first request,
/// woken for that purpose, so no batch costs an extra hop. An instance whose runs block for long runs its batches on a
/// thread of its own instead (<see cref="InstanceThreads"/>), so that they do not hold up the thread pool.
/// </para>
/// <para>
/// When shutdown begins (the engine's <c>stopWaiting</c> token), requests stop waiting for peers: a host that drains
/// its requests in flight must not spend the drain on max queue delays.
/// </para>
/// </summary>
internal sealed partial class DynamicBatcher : IModelGauges, IAsyncDisposable
{
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly object _gate = new();
    private readonly string _model;
    private readonly IReadOnlyList<IModelInstance> _instances;
    private readonly List<IModelInstance> _idle;
    private readonly RequestQueue _queue;
    private readonly BatchPolicy _policy;
    private readonly DynamicBatchingConfig _config;
    private readonly int _maxBatchSize;
    private readonly BatchOutcomes _outcomes;
    private readonly BatchCostModel _cost = new();
    private readonly ArrivalMeter _arrivals;
    private readonly TimeSpan? _serverTimeout;
    private readonly ModelMetrics _metrics;
    private readonly Timestamps _time;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ITimer _wake;
    private readonly InstanceThreads? _threads;
    private readonly List<PendingRequest> _candidates = [];
    private readonly List<PendingRequest> _expired = [];
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _stopWaiting;
    private long _wakeAt = long.MaxValue;
    private long _predictedCompute;
    private bool _disposing;

    public DynamicBatcher(SchedulerSettings settings, IReadOnlyList<IModelInstance> instances, EngineMetrics metrics, TimeProvider time, ILogger logger, CancellationToken stopWaiting = default)
    {
        _model = settings.Model;
        _config = settings.Batching;
        _maxBatchSize = settings.MaxBatchSize;
        _instances = instances;
        _idle = instances.Reverse().ToList();
        _queue = new RequestQueue(_config.PriorityLevels);
        _clock = time;
        _time = new Timestamps(time);
        _logger = logger;
        _serverTimeout = settings.ServerTimeout;
        _arrivals = new ArrivalMeter(_time);
        var batches = _config.Enabled && _maxBatchSize > 0;
        Adaptive = _config.LatencyObjective is { } objective && batches
            ? new AdaptiveBatchLimit(objective, _maxBatchSize)
            : null;
        AutoWait = _config.TunesDelay && batches
            ? new AutoBatchWait(_cost, _arrivals, _config.LatencyObjective?.Latency ?? AutoBatchWait.DefaultObjective, _time)
            : null;
        _policy = new BatchPolicy(_config, _maxBatchSize, settings.Signature, Adaptive, AutoWait, instances.Count, _time);
        _outcomes = new BatchOutcomes(_model, settings.Signature.Outputs.Count, logger);
        _metrics = metrics.ForVersion(_model, settings.Version, this);
        _threads = settings.ComputeThreadFrom is { } from ? new InstanceThreads(_model, instances, _time.ToTicks(from), RunOnComputeThread) : null;
        _wake = time.CreateTimer(static state => ((DynamicBatcher)state!).OnWake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Last: a version loaded after shutdown began runs the callback here, on a whole object.
        _stopWaiting = stopWaiting.UnsafeRegister(static state => ((DynamicBatcher)state!).StopWaitingForPeers(), this);
    }

    public IReadOnlyList<IModelInstance> Instances => _instances;

    public ModelMetrics Metrics => _metrics;

    /// <summary>The adaptive batch size limit, when the model has a latency objective.</summary>
    public AdaptiveBatchLimit? Adaptive { get; }

    /// <summary>The wait for peers the batcher chooses itself, when config.json sets none.</summary>
    public AutoBatchWait? AutoWait { get; }

    /// <summary>The batch size the learned cost curve makes worth waiting for (1 when waiting cannot help).</summary>
    public int BatchTarget
    {
        get
        {
            lock (_gate)
            {
                return AutoWait?.Target(_policy.RowLimit) ?? 1;
            }
        }
    }

    public int QueueDepth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public int BusyInstances
    {
        get
        {
            lock (_gate)
            {
                return _instances.Count - _idle.Count;
            }
        }
    }

    public int InstanceCount => _instances.Count;

    public int BatchLimit => _policy.Batches ? _policy.RowLimit : 1;

    /// <summary>Runs <paramref name="request"/> (already validated) in the next batch that can take it.</summary>
    public ValueTask<ExecutionOutcome> ExecuteAsync(InferenceRequest request, long arrival, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromResult(ExecutionOutcome.Failed(SchedulerErrors.CancelledWhileQueued(_model)));
        }

        // The request's or the model's timeout counts from the arrival at the engine (an on-demand load waits within it);
        // the host's default counts the queue only, so a model's first load never uses it up.
        var timeoutAt = TimeoutOf(request) is { } timeout ? _time.Add(arrival, timeout)
            : _serverTimeout is { } fallback ? _time.Add(_time.Now, fallback)
            : long.MaxValue;
        var deadline = _config.LatencyObjective is { } objective ? Math.Min(timeoutAt, _time.Add(arrival, objective.Latency)) : timeoutAt;
        var pending = new PendingRequest(this, request, RowsOf(request), arrival, timeoutAt, deadline, LevelOf(request), cancellationToken);
        RunningBatch? own = null;
        List<RunningBatch>? others;
        lock (_gate)
        {
            var now = _time.Now;
            _arrivals.Arrived(pending.Rows, now, busy: _queue.Count > 0 || _idle.Count < _instances.Count);
            if (Reject(pending, now) is { } rejected)
            {
                return ValueTask.FromResult(ExecutionOutcome.Failed(rejected));
            }

            _queue.Add(pending);
            others = DispatchLocked(now);

            // Only a request left waiting needs a timer; dispatch itself never takes one past its timeout.
            if (pending.State == PendingState.Queued)
            {
                StartTimeout(pending);
            }

            for (var i = 0; others is not null && i < others.Count; i++)
            {
                if (others[i] == pending.Batch)
                {
                    own = others[i];
                    others.RemoveAt(i);
                    break;
                }
            }

            WatchCancellation(pending);
        }

        HandOff(others);
        if (own is not null && _threads?.For(own.Instance) is { } thread)
        {
            thread.Post(own);
            own = null;
        }

        return own is null ? WaitAsync(pending) : RunInlineAsync(own, pending);
    }

    private InferenceError? Reject(PendingRequest pending, long now)
    {
        if (_disposing)
        {
            return SchedulerErrors.Unloading(_model);
        }

        if (_config.MaxQueueSize > 0 && _queue.Count >= _config.MaxQueueSize)
        {
            return SchedulerErrors.QueueFull(_model, _config.MaxQueueSize);
        }

        return Overloaded(pending, now);
    }

    private int RowsOf(InferenceRequest request) =>
        _maxBatchSize > 0 && request.Inputs.Count > 0 ? (int)request.Inputs[0].Shape[0] : 1;

    private int LevelOf(InferenceRequest request) =>
        (request.Priority == 0 ? _config.EffectiveDefaultPriority : request.Priority) - 1;

    private TimeSpan? TimeoutOf(InferenceRequest request) => request.Timeout ?? _config.DefaultTimeout;

    private void StartTimeout(PendingRequest pending)
    {
        // A timeout beyond what a timer can wait (about 49 days) can never be told apart from none.
        if (pending.TimeoutAt == long.MaxValue || _time.Between(_time.Now, pending.TimeoutAt) >= MaxTimerDue)
        {
            return;
        }

        pending.TimeoutTimer = _clock.CreateTimer(
            static state => { var p = (PendingRequest)state!; p.Owner.OnTimeout(p); },
            pending,
            DueIn(_time.Between(_time.Now, pending.TimeoutAt)),
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A timer due time that never fires early: system timers round down to whole milliseconds, so it is rounded up;
    /// and at least one tick, so a timer created under the lock never fires inside it.
    /// </summary>
    private static TimeSpan DueIn(TimeSpan remaining) =>
        remaining <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds));

    /// <summary>
    /// Registers for the caller's cancellation where it changes something: a queued request leaves the queue, and a
    /// request in a batch of several counts towards cancelling the batch. A request running alone needs nothing, since
    /// the backend gets its token. Called under the lock, so the registration is in place before anyone reads it and a
    /// request takes the lock once on admission. A token cancelled meanwhile runs the callback at once; the lock is
    /// re-entrant and the state is whole at this point.
    /// </summary>
    private static void WatchCancellation(PendingRequest pending)
    {
        // A request that arrived past its timeout (an on-demand load used it up) is already done: nothing to watch.
        if (pending.CancellationToken.CanBeCanceled && (pending.State == PendingState.Queued || (pending.State == PendingState.Running && pending.Batch!.Requests.Length > 1)))
        {
            pending.Registration = pending.CancellationToken.UnsafeRegister(static state => { var p = (PendingRequest)state!; p.Owner.OnCancelled(p); }, pending);
        }
    }

    private void OnCancelled(PendingRequest pending)
    {
        List<RunningBatch>? batches;
        RunningBatch? running;
        lock (_gate)
        {
            running = pending.State == PendingState.Running ? pending.Batch : null;
            if (running is null && !Leave(pending))
            {
                return;
            }

            batches = running is null ? DispatchRemainingLocked() : null;
        }

        if (running is not null)
        {
            // Outside the lock: cancelling the batch runs the backend's callbacks.
            running.RequestCancelled();
            return;
        }

        HandOff(batches);
        pending.TrySetResult(ExecutionOutcome.Failed(SchedulerErrors.CancelledWhileQueued(_model)));
    }

    private void OnTimeout(PendingRequest pending)
    {
        List<RunningBatch>? batches = null;
        var expired = false;
        var waited = TimeSpan.Zero;
        lock (_gate)
        {
            var now = _time.Now;
            if (pending.State == PendingState.Queued && now < pending.TimeoutAt)
            {
                // A timer that fired early (clocks disagree by a little): wait for the rest.
                pending.TimeoutTimer?.Change(DueIn(_time.Between(now, pending.TimeoutAt)), Timeout.InfiniteTimeSpan);
                return;
            }

            // The wake-up for this request's deadline can be due at this very moment and not have run yet (timers due
            // together fire in any order). Dispatch first, so that a request the policy held back for peers while an
            // instance was idle starts now instead of expiring.
            if (pending.State == PendingState.Queued && !_disposing)
            {
                batches = DispatchLocked(_time.Now);
            }

            if (Leave(pending))
            {
                expired = true;
                waited = _time.Between(pending.Arrival, _time.Now);
                if (DispatchRemainingLocked() is { } more)
                {
                    (batches ??= []).AddRange(more);
                }
            }
        }

        HandOff(batches);
        if (expired)
        {
            pending.TrySetResult(ExecutionOutcome.Failed(SchedulerErrors.TimedOut(_model, waited)));
        }
    }

    /// <summary>After a request left the queue, what remains may form a batch now (a preferred size, say).</summary>
    private List<RunningBatch>? DispatchRemainingLocked() => _disposing ? null : DispatchLocked(_time.Now);

    /// <summary>Takes a queued request out of the queue for good; false when it is no longer queued.</summary>
    private bool Leave(PendingRequest pending)
    {
        if (pending.State != PendingState.Queued)
        {
            return false;
        }

        _queue.Remove(pending);
        pending.State = PendingState.Done;
        pending.ReleaseWatchers();
        return true;
    }

    /// <summary>
    /// From now on no request waits for peers: what is queued goes to the idle instances at once, the rest as instances
    /// come back, and so does every request that arrives later. Requests are still admitted. Idempotent.
    /// </summary>
    public void StopWaitingForPeers()
    {
        List<RunningBatch>? batches;
        lock (_gate)
        {
            if (_disposing || !_policy.WaitsForPeers)
            {
                return;
            }

            _policy.StopWaitingForPeers();
            batches = DispatchLocked(_time.Now);
        }

        HandOff(batches);
    }

    private void OnWake()
    {
        List<RunningBatch>? batches;
        lock (_gate)
        {
            _wakeAt = long.MaxValue;
            batches = _disposing ? null : DispatchLocked(_time.Now);
        }

        HandOff(batches);
    }

    /// <summary>Forms every batch that should start now on an idle instance; arms the wake-up timer for the rest.</summary>
    private List<RunningBatch>? DispatchLocked(long now)
    {
        List<RunningBatch>? started = null;
        var wakeAt = long.MaxValue;
        while (_queue.Count > 0 && HasUsableIdleInstance())
        {
            _expired.Clear();
            var decision = _policy.Decide(_queue, now, _predictedCompute, _candidates, _expired, out wakeAt);
            if (ExpireLocked(now) && decision is null)
            {
                continue;
            }

            if (decision is not { } reason)
            {
                break;
            }

            var requests = _candidates.ToArray();
            var batch = new RunningBatch(TakeIdleInstance(), requests, reason);
            foreach (var request in requests)
            {
                _queue.Remove(request);
                request.State = PendingState.Running;
                request.Batch = batch;
                request.TimeoutTimer?.Dispose();
                request.TimeoutTimer = null;
            }

            (started ??= []).Add(batch);
        }

        ArmWake(wakeAt, now);
        return started;
    }

    /// <summary>Fails the requests the policy found past their timeout; true when there were any.</summary>
    private bool ExpireLocked(long now)
    {
        foreach (var request in _expired)
        {
            if (Leave(request))
            {
                request.TrySetResult(ExecutionOutcome.Failed(SchedulerErrors.TimedOut(_model, _time.Between(request.Arrival, now))));
            }
        }

        return _expired.Count > 0;
    }

    /// <summary>
    /// True when a batch can start: an idle instance is ready, or no instance is ready at all (the batch then goes to a
    /// down instance, which waits for its restart or fails at once with its reason). While a busy instance is ready,
    /// batches wait for it rather than go to an instance that is down. Under the lock.
    /// </summary>
    private bool HasUsableIdleInstance()
    {
        if (_idle.Count == 0)
        {
            return false;
        }

        foreach (var instance in _idle)
        {
            if (instance.Health.IsReady)
            {
                return true;
            }
        }

        foreach (var instance in _instances)
        {
            if (instance.Health.IsReady)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The most recently freed idle instance that reports itself ready, or, when none does, the most recently freed one
    /// (<see cref="HasUsableIdleInstance"/> allows that only while no instance is ready). Under the lock.
    /// </summary>
    private IModelInstance TakeIdleInstance()
    {
        var index = _idle.Count - 1;
        for (var i = index; i >= 0 && _idle.Count > 1; i--)
        {
            if (_idle[i].Health.IsReady)
            {
                index = i;
                break;
            }
        }

        var instance = _idle[index];
        _idle.RemoveAt(index);
        return instance;
    }

    private void ArmWake(long at, long now)
    {
        if (at == _wakeAt)
        {
            return;
        }

        _wakeAt = at;
        var due = at == long.MaxValue ? Timeout.InfiniteTimeSpan : _time.Between(now, at);
        _wake.Change(due == Timeout.InfiniteTimeSpan || due > TimeSpan.Zero ? due : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Stops admitting, fails every queued request as unavailable, waits for running batches to finish and
    /// disposes the instances. An instance is never disposed mid-batch.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        List<PendingRequest> drained;
        lock (_gate)
        {
            if (_disposing)
            {
                return;
            }

            _disposing = true;
            // Unregister, not Dispose: Dispose waits for a running callback, which may be waiting for this lock.
            _stopWaiting.Unregister();
            drained = _queue.Drain();
            foreach (var pending in drained)
            {
                pending.State = PendingState.Done;
                pending.ReleaseWatchers();
            }

            ArmWake(long.MaxValue, 0);
            if (_idle.Count == _instances.Count)
            {
                _drained.TrySetResult();
            }
        }

        foreach (var pending in drained)
        {
            pending.TrySetResult(ExecutionOutcome.Failed(SchedulerErrors.Unloading(_model)));
        }

        await _drained.Task.ConfigureAwait(false);
        _wake.Dispose();
        _threads?.Dispose();
        _metrics.Unregister();
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }
    }
}
