using System.Diagnostics.Metrics;

namespace Augur.Diagnostics;

/// <summary>
/// The memory budget's instruments, on the engine's meter:
/// <list type="bullet">
/// <item><c>augur.memory.budget</c> (bytes): the budget (<see cref="InferenceEngineBuilder.UseMemoryBudget"/>).</item>
/// <item><c>augur.memory.used</c> (bytes): what the loaded versions hold now, retiring ones included (each version's
/// <see cref="Backends.IReportsMemory.MemoryBytes"/>, or its folder's size).</item>
/// <item><c>augur.model.loads.on_demand</c>: models loaded by a request (or a required model at start-up), by <c>model</c>.</item>
/// <item><c>augur.model.evictions</c>: models unloaded to make room, least recently used first, by <c>model</c>.</item>
/// <item><c>augur.model.loads.refused</c>: loads refused because nothing could be unloaded to make room, by <c>model</c>.</item>
/// </list>
/// </summary>
internal sealed class MemoryBudgetMetrics
{
    private readonly Counter<long> _onDemand;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _refused;

    public MemoryBudgetMetrics(Meter meter, long budget, Func<long> used)
    {
        meter.CreateObservableGauge("augur.memory.budget", () => budget, "By", "The memory budget of the loaded models, all together.");
        meter.CreateObservableGauge("augur.memory.used", used, "By", "Memory the loaded model versions hold now, as they report it or as their files' size.");
        _onDemand = meter.CreateCounter<long>("augur.model.loads.on_demand", "{load}", "Models loaded on their first request under the memory budget.");
        _evictions = meter.CreateCounter<long>("augur.model.evictions", "{unload}", "Models unloaded, least recently used first, to stay within the memory budget.");
        _refused = meter.CreateCounter<long>("augur.model.loads.refused", "{load}", "Loads refused because the memory budget could not be met: the other models were in use.");
    }

    public void LoadedOnDemand(string model) => _onDemand.Add(1, new KeyValuePair<string, object?>("model", model));

    public void Evicted(string model) => _evictions.Add(1, new KeyValuePair<string, object?>("model", model));

    public void Refused(string model) => _refused.Add(1, new KeyValuePair<string, object?>("model", model));
}
