using System.Diagnostics.Metrics;
using Augur.Diagnostics;
using Augur.Errors;

namespace Augur.Engine.Budget;

/// <summary>
/// A server-wide bound on the memory of the loaded models (<see cref="InferenceEngineBuilder.UseMemoryBudget"/>): what
/// is in use, and which models to unload, least recently used first, so that one more fits. A model with a request in
/// flight or a live sequence, and a required model, are never chosen. The decisions are made by <see cref="ModelController"/>, one change
/// at a time; this type only reads the model set.
/// </summary>
internal sealed class MemoryBudget
{
    private readonly ModelSet _set;

    public MemoryBudget(long bytes, ModelSet set, Meter meter)
    {
        Bytes = bytes;
        _set = set;
        Metrics = new MemoryBudgetMetrics(meter, bytes, BytesInUse);
    }

    /// <summary>The budget, in bytes.</summary>
    public long Bytes { get; }

    public MemoryBudgetMetrics Metrics { get; }

    /// <summary>What every loaded version holds now, published or retiring (still running requests).</summary>
    public long BytesInUse()
    {
        long used = 0;
        foreach (var version in Loaded())
        {
            used += version.MemoryBytes;
        }

        return used;
    }

    /// <summary>What a model's loaded versions hold now.</summary>
    public static long BytesOf(ModelEntry entry) => entry.Ready.Sum(v => v.MemoryBytes);

    /// <summary>
    /// Chooses the models to unload so that <paramref name="need"/> more bytes fit for <paramref name="model"/>: none
    /// when they fit already, else idle models least recently used first, as few as it takes. False, with the error to
    /// answer, when even unloading every idle model would not make room (nothing is to be unloaded then).
    /// </summary>
    public bool TryPlan(string model, long need, out IReadOnlyList<string> unload, out InferenceError? refusal)
    {
        unload = [];
        refusal = null;
        if (need > Bytes)
        {
            refusal = BudgetErrors.LargerThanBudget(model, need, Bytes);
            return false;
        }

        var used = BytesInUse();
        if (used + need <= Bytes)
        {
            return true;
        }

        var current = _set.Current;
        var idle = current.Where(m => m.Key != model && m.Value.Ready.Count > 0 && !IsPinned(m.Value) && Requests(m.Value) == 0)
            .OrderBy(m => m.Value.Ready.Max(v => v.LastUsed))
            .ThenBy(m => m.Key, StringComparer.Ordinal)
            .ToArray();
        var chosen = new List<string>();
        foreach (var (name, entry) in idle)
        {
            if (used + need <= Bytes)
            {
                break;
            }

            used -= BytesOf(entry);
            chosen.Add(name);
        }

        if (used + need <= Bytes)
        {
            unload = chosen;
            return true;
        }

        refusal = BudgetErrors.Exceeded(model, need, Bytes, used, Holders(current, model));
        return false;
    }

    /// <summary>
    /// The idle model to unload next while the set holds more than the budget (after a load whose real size exceeded its
    /// estimate), least recently used first, never <paramref name="keep"/>; null when within the budget or none is idle.
    /// </summary>
    public string? NextOverBudget(string keep)
    {
        if (BytesInUse() <= Bytes)
        {
            return null;
        }

        return _set.Current.Where(m => m.Key != keep && m.Value.Ready.Count > 0 && !IsPinned(m.Value) && Requests(m.Value) == 0)
            .OrderBy(m => m.Value.Ready.Max(v => v.LastUsed))
            .ThenBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => m.Key)
            .FirstOrDefault();
    }

    /// <summary>Required models stay loaded: the server is not ready without them.</summary>
    public bool IsPinned(ModelEntry entry) => entry.Required || _set.RequiredModels.Contains(entry.Status.Name);

    /// <summary>What keeps a model loaded: requests in flight, and live sequences (their state would be lost).</summary>
    private static int Requests(ModelEntry entry) => entry.Ready.Sum(v => v.Lease.Requests(published: true) + (v.Sequences?.LiveSequences ?? 0));

    private static string InUse(ModelEntry entry)
    {
        var requests = entry.Ready.Sum(v => v.Lease.Requests(published: true));
        var sequences = entry.Ready.Sum(v => v.Sequences?.LiveSequences ?? 0);
        var parts = new List<string>(2);
        if (requests > 0)
        {
            parts.Add(requests == 1 ? "1 request in flight" : $"{requests} requests in flight");
        }

        if (sequences > 0)
        {
            parts.Add(sequences == 1 ? "1 live sequence" : $"{sequences} live sequences");
        }

        return string.Join(", ", parts);
    }

    /// <summary>The models that hold memory and cannot be unloaded now, each with its size and why (for the refusal).</summary>
    private IEnumerable<string> Holders(IReadOnlyDictionary<string, ModelEntry> current, string model)
    {
        var holders = new List<string>();
        foreach (var (name, entry) in current.Where(m => m.Value.Ready.Count > 0).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var requests = Requests(entry);
            if (name == model || (!IsPinned(entry) && requests == 0))
            {
                continue;
            }

            var why = IsPinned(entry) ? "required" : InUse(entry);
            holders.Add($"{name} {ByteSize.Format(BytesOf(entry))} ({why})");
        }

        var retiring = _set.Retiring.ToArray();
        if (retiring.Length > 0)
        {
            holders.Add($"{retiring.Length} unloaded version(s) finishing their requests {ByteSize.Format(retiring.Sum(v => v.MemoryBytes))}");
        }

        return holders.Count > 0 ? holders : ["none (the loaded models are being reloaded)"];
    }

    private IEnumerable<LoadedVersion> Loaded() => _set.Current.Values.SelectMany(m => m.Ready).Concat(_set.Retiring).Distinct();
}
