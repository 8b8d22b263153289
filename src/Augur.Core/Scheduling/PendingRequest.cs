using Augur.Inference;

namespace Augur.Scheduling;

/// <summary>
/// A request held by the dynamic batcher, from admission until its outcome is set. Its state changes only under
/// the batcher's lock: queued → running (taken into a batch) or queued → done (cancelled, timed out, unloaded).
/// It is the task source its caller awaits; continuations run asynchronously so that completing a batch never
/// runs a caller's code on the instance's thread.
/// </summary>
internal sealed class PendingRequest(DynamicBatcher owner, InferenceRequest request, int rows, long arrival, long timeoutAt, long deadline, int level, CancellationToken cancellationToken)
    : TaskCompletionSource<ExecutionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public DynamicBatcher Owner { get; } = owner;

    public InferenceRequest Request { get; } = request;

    /// <summary>Samples in the request (its batch dimension; 1 for models that do not batch).</summary>
    public int Rows { get; } = rows;

    /// <summary>When the request reached the engine (a <see cref="TimeProvider"/> timestamp).</summary>
    public long Arrival { get; } = arrival;

    /// <summary>When its queue timeout expires; <see cref="long.MaxValue"/> if it has none. Past it, the request must not start.</summary>
    public long TimeoutAt { get; } = timeoutAt;

    /// <summary>The latest time it should complete by (its timeout or the latency objective); <see cref="long.MaxValue"/> if none.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>The queue level: 0 for priority 1, served first.</summary>
    public int Level { get; } = level;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public PendingState State { get; set; }

    /// <summary>Its place in the queue while queued.</summary>
    public LinkedListNode<PendingRequest>? Node { get; set; }

    /// <summary>Fires when a queue timeout expires; disposed when the request leaves the queue.</summary>
    public ITimer? TimeoutTimer { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>The batch it runs in, once running.</summary>
    public RunningBatch? Batch { get; set; }

    /// <summary>Set when the request was woken to run its batch (it is the batch's first request) rather than given its outcome.</summary>
    public RunningBatch? Leads { get; set; }

    /// <summary>Drops the timer and the cancellation callback; never blocks, so it is safe under the batcher's lock.</summary>
    public void ReleaseWatchers()
    {
        TimeoutTimer?.Dispose();
        TimeoutTimer = null;
        Registration.Unregister();
    }
}

internal enum PendingState
{
    Queued,
    Running,
    Done,
}
