using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// The shared initializers one model version holds leases on, given to each of its sessions. Disposed with the model,
/// after its last session: ONNX Runtime reads the values for as long as a session that was given them lives.
/// </summary>
internal sealed class SharedWeights : IDisposable
{
    /// <summary>A model that shares nothing (sharing is off, or it has no initializer large enough).</summary>
    public static readonly SharedWeights None = new(null, [], null, 0, 0);

    private readonly SharedInitializerStore? _store;
    private readonly IReadOnlyList<(string Name, SharedInitializer Entry)> _leases;
    private int _released;

    public SharedWeights(SharedInitializerStore? store, IReadOnlyList<(string Name, SharedInitializer Entry)> leases, PrePackedWeightsContainer? container, int alreadyHeld, long alreadyHeldBytes)
    {
        _store = store;
        _leases = leases;
        Container = container;
        AlreadyHeld = alreadyHeld;
        AlreadyHeldBytes = alreadyHeldBytes;
    }

    /// <summary>The pre-packed weights container for the model's sessions; null when it shares nothing.</summary>
    public PrePackedWeightsContainer? Container { get; }

    /// <summary>How many of the model's initializers are shared (held in the store for it).</summary>
    public int Count => _leases.Count;

    /// <summary>Their bytes.</summary>
    public long Bytes => _leases.Sum(l => l.Entry.Bytes);

    /// <summary>How many were held already when the model loaded: what it shares with the models loaded before it.</summary>
    public int AlreadyHeld { get; }

    /// <summary>Their bytes.</summary>
    public long AlreadyHeldBytes { get; }

    /// <summary>Each shared initializer by content, for the model's plan.</summary>
    public IReadOnlyList<Models.SharedResource> Resources =>
        _leases.Select(l => new Models.SharedResource(Models.SharedResource.Weight, l.Entry.Key, l.Entry.Bytes, $"initializer {l.Name}")).ToArray();

    /// <summary>The content key of each shared initializer, by its name in the model (what the store hashed already).</summary>
    public IReadOnlyDictionary<string, string> KeysByName => _leases.ToDictionary(l => l.Name, l => l.Entry.Key, StringComparer.Ordinal);

    /// <summary>Gives every shared initializer to a session about to be created with <paramref name="options"/>.</summary>
    public void AddTo(SessionOptions options)
    {
        foreach (var (name, entry) in _leases)
        {
            options.AddInitializer(name, entry.Value);
        }
    }

    public void Dispose()
    {
        if (_store is not null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            _store.Release(_leases.Select(l => l.Entry));
        }
    }
}
