using System.Collections.Concurrent;
using Augur.Backends;
using Augur.Models;

namespace Augur.Testing.Fakes;

/// <summary>
/// A loaded fake model version. Records its instances, every execution and lifecycle mistakes the engine
/// could make: two concurrent executions on one instance, or an instance disposed or used after disposal.
/// </summary>
public sealed class FakeModel : IModel
{
    private readonly ConcurrentQueue<FakeModelInstance> _instances = new();
    private readonly ConcurrentQueue<FakeCall> _calls = new();
    private int _sequence;
    private int _active;
    private int _maxActive;
    private int _disposed;

    internal FakeModel(ModelLoadContext context, FakeModelSpec spec)
    {
        Context = context;
        Spec = spec;
        _memoryBytes = spec.MemoryBytes ?? 0;
    }

    /// <summary>What the engine passed to the backend (name, version, folder, config).</summary>
    public ModelLoadContext Context { get; }

    /// <summary>The spec the model was built from.</summary>
    public FakeModelSpec Spec { get; }

    /// <summary>What the model reports as its memory when its spec set <see cref="FakeModelSpec.MemoryBytes"/> (tests may change it, as a worker's resident size grows).</summary>
    public long MemoryBytes
    {
        get => Volatile.Read(ref _memoryBytes);
        set => Volatile.Write(ref _memoryBytes, value);
    }

    private long _memoryBytes;

    /// <summary>The model name.</summary>
    public string Name => Context.ModelName;

    /// <summary>The version.</summary>
    public long Version => Context.Version;

    /// <inheritdoc />
    public ModelSignature Signature => Spec.Signature;

    /// <summary>The instances created, in creation order.</summary>
    public IReadOnlyList<FakeModelInstance> Instances => _instances.ToArray();

    /// <summary>How many instances were created.</summary>
    public int InstancesCreated => _instances.Count;

    /// <summary>How many instances were disposed (each counted once).</summary>
    public int InstancesDisposed => _instances.Count(i => i.IsDisposed);

    /// <summary>Every execution so far, in the order they started (warm-up included).</summary>
    public IReadOnlyList<FakeCall> Calls => _calls.ToArray();

    /// <summary>How many executions started.</summary>
    public int ExecutionCount => Volatile.Read(ref _sequence);

    /// <summary>The most executions that ran at the same time across all instances.</summary>
    public int MaxConcurrentExecutions => Volatile.Read(ref _maxActive);

    /// <summary>True once <see cref="DisposeAsync"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>How many times <see cref="DisposeAsync"/> was called.</summary>
    public int DisposeCalls => Volatile.Read(ref _disposed);

    /// <summary>Every lifecycle violation any instance saw (see <see cref="FakeModelInstance.Violations"/>).</summary>
    public IReadOnlyList<string> Violations => _instances.SelectMany(i => i.Violations).ToArray();

    /// <inheritdoc />
    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken)
    {
        var instance = new FakeModelInstance(this, index);
        _instances.Enqueue(instance);
        return ValueTask.FromResult<IModelInstance>(instance);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposed);
        return ValueTask.CompletedTask;
    }

    internal FakeCall BeginCall(FakeModelInstance instance, IReadOnlyList<Augur.Inference.InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var call = new FakeCall(this, instance, Interlocked.Increment(ref _sequence) - 1, batch, cancellationToken);
        _calls.Enqueue(call);
        var active = Interlocked.Increment(ref _active);
        int max;
        while (active > (max = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, active, max) != max)
        {
        }

        return call;
    }

    internal void EndCall() => Interlocked.Decrement(ref _active);
}
