using Augur.Backends;

namespace Augur.Scheduling;

/// <summary>
/// Which instances of a version run their batches on a <see cref="ComputeThread"/> of their own: those whose runs block
/// the calling thread (the backend's <see cref="IModelInstance.ExecuteAsync"/> returns only when the run is over, as
/// ONNX Runtime's does) for <c>from</c> or longer on average. Shorter runs stay on the thread that dispatched them,
/// where they cost no hop; a run that does not block (a worker process's call) never needs a thread. Each thread is made
/// the first time its instance needs it.
/// </summary>
internal sealed class InstanceThreads(string model, IReadOnlyList<IModelInstance> instances, long fromTicks, Action<RunningBatch> run) : IDisposable
{
    private readonly Dictionary<IModelInstance, int> _index = instances.Select((instance, i) => (instance, i)).ToDictionary<(IModelInstance Instance, int I), IModelInstance, int>(p => p.Instance, p => p.I, ReferenceEqualityComparer.Instance);
    private readonly ComputeThread?[] _threads = new ComputeThread?[instances.Count];
    private readonly long[] _blocked = new long[instances.Count];
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>The thread <paramref name="instance"/>'s next batch runs on, or null to run it on the dispatching thread.</summary>
    public ComputeThread? For(IModelInstance instance)
    {
        var i = _index[instance];
        if (Volatile.Read(ref _blocked[i]) < fromTicks)
        {
            return null;
        }

        if (Volatile.Read(ref _threads[i]) is { } thread)
        {
            return thread;
        }

        lock (_gate)
        {
            return _disposed ? null : _threads[i] ??= new ComputeThread($"augur {model} #{i}", run);
        }
    }

    /// <summary>
    /// Records how long a run held the thread that started it (0 for a run that did not complete before returning).
    /// An instance runs one batch at a time, so each slot has one writer at a time.
    /// </summary>
    public void Ran(IModelInstance instance, long blockedTicks)
    {
        var i = _index[instance];
        var previous = _blocked[i];
        Volatile.Write(ref _blocked[i], previous == 0 ? blockedTicks : ((previous * 3) + blockedTicks) / 4);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var thread in _threads)
            {
                thread?.Dispose();
            }
        }
    }
}
