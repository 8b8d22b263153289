namespace Augur.Engine.Budget;

/// <summary>
/// The order in which steps of sequences that waited for a model's on-demand load go on. The sequence batcher orders a
/// sequence's steps by their arrival there, so steps that queued behind a load must reach it in the order they came,
/// not in the order their continuations resume; and a step that comes while earlier ones still wait must queue behind
/// them rather than overtake them on the loaded model. One per model, for the engine's lifetime.
/// </summary>
internal sealed class SequenceTurns
{
    private Task _last = Task.CompletedTask;
    private int _waiting;

    /// <summary>True while a step has taken a turn and not yet been handed over (or given up).</summary>
    public bool AnyWaiting => Volatile.Read(ref _waiting) > 0;

    /// <summary>
    /// Queues a turn that completes with <paramref name="mine"/> (once the caller's step was handed to the engine, or
    /// given up; then call <see cref="Leave"/>) and returns the turn before it, which the caller waits for.
    /// </summary>
    public Task Enter(Task mine)
    {
        Interlocked.Increment(ref _waiting);
        return Interlocked.Exchange(ref _last, mine);
    }

    /// <summary>Ends a turn taken with <see cref="Enter"/>.</summary>
    public void Leave(TaskCompletionSource mine)
    {
        if (mine.TrySetResult())
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
