using System.Collections.Concurrent;
using System.Threading.Channels;
using Augur.Precomputed;
using Augur.Tensors;

namespace Augur.Testing.Fakes;

/// <summary>
/// An in-memory <see cref="IPrecomputedPredictions"/> that keeps the contract the engine relies on (the newest prediction
/// of the version asked for, else the newest of any version; outputs decoded only for the version asked for) with
/// tensors instead of JSON, plus hooks to make it fail or hold a lookup at a known point.
/// </summary>
public sealed class FakePrecomputedStore : IPrecomputedPredictions
{
    private readonly ConcurrentDictionary<(string Model, string Key), ConcurrentQueue<Entry>> _entries = new();
    private readonly Channel<PrecomputedWrite> _writes = Channel.CreateUnbounded<PrecomputedWrite>();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _finds;

    /// <summary>When set, every lookup and write throws this (the store is down).</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, a lookup signals <see cref="FindStarted"/> and then waits for this (or its token) before answering.</summary>
    public Task? Hold { get; set; }

    /// <summary>Completed by the first lookup that waits on <see cref="Hold"/>.</summary>
    public TaskCompletionSource FindStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many lookups were asked for.</summary>
    public int Finds => Volatile.Read(ref _finds);

    /// <summary>Every query, in order.</summary>
    public ConcurrentQueue<PrecomputedQuery> Queries { get; } = new();

    /// <summary>Completed when the store is disposed.</summary>
    public Task Disposed => _disposed.Task;

    /// <summary>Stores a prediction of <paramref name="model"/> <paramref name="version"/> for <paramref name="key"/>.</summary>
    public FakePrecomputedStore Add(string model, string key, string version, DateTimeOffset createdAt, params InferenceTensor[] outputs)
    {
        _entries.GetOrAdd((model, key), _ => new ConcurrentQueue<Entry>()).Enqueue(new Entry(version, createdAt, outputs));
        return this;
    }

    /// <summary>The next prediction written back, within <paramref name="timeout"/>.</summary>
    public async Task<PrecomputedWrite> NextWriteAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await _writes.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>True when a write-back is waiting to be read by <see cref="NextWriteAsync"/>.</summary>
    public bool HasWrite => _writes.Reader.TryPeek(out _);

    /// <inheritdoc />
    public async ValueTask<PrecomputedPrediction?> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _finds);
        Queries.Enqueue(query);
        if (Hold is { } hold)
        {
            FindStarted.TrySetResult();
            await hold.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        if (!_entries.TryGetValue((query.Model, query.Key), out var entries) || entries.IsEmpty)
        {
            return null;
        }

        var all = entries.ToArray();
        var entry = all.Where(e => e.Version == query.Version).OrderByDescending(e => e.CreatedAt).FirstOrDefault()
            ?? all.OrderByDescending(e => e.CreatedAt).First();
        var decode = query.Version is null || query.Version == entry.Version;
        return new PrecomputedPrediction(query.Key, entry.Version, entry.CreatedAt, "{}")
        {
            Outputs = decode ? query.Outputs.Select(spec => entry.Outputs.FirstOrDefault(o => o.Name == spec.Name)).OfType<InferenceTensor>().ToArray() : [],
        };
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(PrecomputedWrite write, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        Add(write.Model, write.Key, write.ModelVersion, write.CreatedAt, [.. write.Outputs]);
        _writes.Writer.TryWrite(write);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }

    private sealed record Entry(string Version, DateTimeOffset CreatedAt, InferenceTensor[] Outputs);
}
