namespace Augur.Sequences;

/// <summary>
/// One sequence: the chain its steps wait on (each step waits for the one before it), and its state. The chain fields
/// are guarded by the <see cref="SequenceBatcher"/>'s lock; the state belongs to the step whose turn it is.
/// </summary>
internal sealed class SequenceSlot(string id)
{
    public string Id { get; } = id;

    /// <summary>Completes when the last step that arrived is done; the next step waits on it. Under the lock.</summary>
    public Task Tail { get; set; } = Task.CompletedTask;

    /// <summary>Steps that arrived and are not done. Under the lock.</summary>
    public int Pending { get; set; }

    /// <summary>When the last step arrived or finished (engine timestamp). Under the lock.</summary>
    public long LastActive { get; set; }

    /// <summary>True between a start and an end: the slot holds a live sequence's state. Written under the lock.</summary>
    public bool Active { get; set; }

    /// <summary>The recurrent state tensors' bytes, in config order. The running step's.</summary>
    public byte[][] States { get; set; } = [];

    /// <summary>Past readings per client input that a window or feature reads. The running step's.</summary>
    public Dictionary<string, ReadingHistory> Histories { get; } = new(StringComparer.Ordinal);
}
