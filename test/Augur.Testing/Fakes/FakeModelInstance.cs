using System.Collections.Concurrent;
using Augur.Backends;
using Augur.Inference;

namespace Augur.Testing.Fakes;

/// <summary>One execution instance of a <see cref="FakeModel"/>; checks that the engine honours the instance contract.</summary>
public sealed class FakeModelInstance : IModelInstance
{
    private readonly FakeModel _model;
    private readonly ConcurrentQueue<string> _violations = new();
    private int _active;
    private int _executions;
    private int _disposeCalls;

    internal FakeModelInstance(FakeModel model, int index)
    {
        _model = model;
        Index = index;
    }

    /// <summary>The index the engine created the instance with.</summary>
    public int Index { get; }

    /// <summary>How many batches this instance started.</summary>
    public int ExecutionCount => Volatile.Read(ref _executions);

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposeCalls) > 0;

    /// <summary>How many times <see cref="DisposeAsync"/> was called.</summary>
    public int DisposeCalls => Volatile.Read(ref _disposeCalls);

    /// <summary>
    /// Contract violations seen: two concurrent executions on this instance, an execution after disposal,
    /// or a disposal while a batch was running.
    /// </summary>
    public IReadOnlyList<string> Violations => _violations.ToArray();

    /// <inheritdoc />
    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        if (IsDisposed)
        {
            _violations.Enqueue($"instance {Index} executed after it was disposed");
        }

        if (Interlocked.Increment(ref _active) > 1)
        {
            _violations.Enqueue($"instance {Index} ran two batches at once");
        }

        Interlocked.Increment(ref _executions);
        var call = _model.BeginCall(this, batch, cancellationToken);
        try
        {
            return await _model.Spec.Execute(call).ConfigureAwait(false);
        }
        finally
        {
            _model.EndCall();
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>What the instance reports to the engine; tests set it to take the instance down and up.</summary>
    public InstanceHealth Health { get; set; } = InstanceHealth.Ready;

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _active) > 0)
        {
            _violations.Enqueue($"instance {Index} was disposed while a batch was running");
        }

        Interlocked.Increment(ref _disposeCalls);
        return ValueTask.CompletedTask;
    }
}
