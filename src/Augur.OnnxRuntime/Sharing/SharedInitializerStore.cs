using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// The initializers of every model one ONNX Runtime backend has loaded, each held once by content (design note 0012,
/// recipe 1): a model's load leases the entries for its initializers (creating those not held yet), every session of the
/// model is given them with <c>SessionOptions.AddInitializer</c>, and the model's disposal releases them. An entry
/// is freed with its last lease. Every session that is given shared initializers also gets the store's one
/// <see cref="PrePackedWeightsContainer"/>, so the copies ONNX Runtime pre-packs from them are held once too.
/// Thread-safe: models load and unload concurrently.
/// </summary>
/// <remarks>
/// ONNX Runtime's container never forgets a pre-packed copy. It is dropped (and a new one started) when the store holds
/// nothing, i.e. when no session that could use it is left; until then, the pre-packed copies of initializers whose
/// models were all unloaded stay in it.
/// </remarks>
internal sealed class SharedInitializerStore(long minimumBytes)
{
    /// <summary>
    /// 16 KiB: smaller initializers (biases, norms, shape and axis constants) save little even across hundreds of models,
    /// while each costs a hash, an allocation and a native value; per session, ONNX Runtime's own bookkeeping is larger.
    /// </summary>
    public const long DefaultMinimumBytes = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, SharedInitializer> _held = new(StringComparer.Ordinal);
    private PrePackedWeightsContainer? _container;
    private long _heldBytes;
    private long _leasedBytes;

    /// <summary>Initializers smaller than this are left in their sessions.</summary>
    public long MinimumBytes { get; } = minimumBytes;

    /// <summary>What the store holds now: distinct initializers, their bytes (each once) and the bytes saved by holding them once.</summary>
    public SharedWeightTotals Totals
    {
        get
        {
            lock (_lock)
            {
                return new SharedWeightTotals(_held.Count, _heldBytes, _leasedBytes - _heldBytes);
            }
        }
    }

    /// <summary>Leases an entry for each candidate, creating the ones not held yet. Dispose the result when the model goes.</summary>
    public SharedWeights Acquire(IReadOnlyList<InitializerCandidate> candidates)
    {
        if (candidates.Count == 0)
        {
            return SharedWeights.None;
        }

        var leases = new List<(string Name, SharedInitializer Entry)>(candidates.Count);
        var alreadyHeld = 0;
        long alreadyHeldBytes = 0;
        try
        {
            foreach (var candidate in candidates)
            {
                var (entry, existed) = Lease(candidate);
                leases.Add((candidate.Name, entry));
                if (existed)
                {
                    alreadyHeld++;
                    alreadyHeldBytes += entry.Bytes;
                }
            }

            PrePackedWeightsContainer container;
            lock (_lock)
            {
                container = _container ??= new PrePackedWeightsContainer();
            }

            return new SharedWeights(this, leases, container, alreadyHeld, alreadyHeldBytes);
        }
        catch
        {
            Release(leases.Select(l => l.Entry));
            throw;
        }
    }

    /// <summary>Returns one lease of each entry; entries without leases are freed, and with the last one the container.</summary>
    public void Release(IEnumerable<SharedInitializer> entries)
    {
        var freed = new List<SharedInitializer>();
        PrePackedWeightsContainer? container = null;
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                _leasedBytes -= entry.Bytes;
                if (--entry.Leases == 0)
                {
                    _held.Remove(entry.Key);
                    _heldBytes -= entry.Bytes;
                    freed.Add(entry);
                }
            }

            if (_held.Count == 0)
            {
                (container, _container) = (_container, null);
            }
        }

        foreach (var entry in freed)
        {
            entry.Free();
        }

        container?.Dispose();
    }

    private (SharedInitializer Entry, bool Existed) Lease(InitializerCandidate candidate)
    {
        lock (_lock)
        {
            if (TryLeaseHeld(candidate.Key) is { } held)
            {
                return (held, true);
            }
        }

        // Copied outside the lock, so loads of other models do not wait for it; a load that created the same entry
        // meanwhile wins, and this copy is freed.
        var created = SharedInitializer.Create(candidate);
        lock (_lock)
        {
            if (TryLeaseHeld(candidate.Key) is not { } held)
            {
                created.Leases = 1;
                _held.Add(candidate.Key, created);
                _heldBytes += created.Bytes;
                _leasedBytes += created.Bytes;
                return (created, false);
            }

            created.Free();
            return (held, true);
        }
    }

    private SharedInitializer? TryLeaseHeld(string key)
    {
        if (!_held.TryGetValue(key, out var entry))
        {
            return null;
        }

        entry.Leases++;
        _leasedBytes += entry.Bytes;
        return entry;
    }
}
