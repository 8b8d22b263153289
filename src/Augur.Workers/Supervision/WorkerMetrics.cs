using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Augur.Workers.Supervision;

/// <summary>
/// Worker instruments on the engine's meter: <c>augur.worker.failures</c> (by cause: <c>exit</c> for a worker that died
/// or whose connection broke, <c>hung</c> for one killed after its call timeout, <c>health_check</c> for a worker started
/// elsewhere that stopped answering its health checks), <c>augur.worker.restarts</c>, and
/// <c>augur.worker.memory</c> (each live worker process's resident bytes).
/// </summary>
internal sealed class WorkerMetrics
{
    public const string Exit = "exit";

    public const string Hung = "hung";

    public const string HealthCheck = "health_check";

    private static readonly ConditionalWeakTable<Meter, WorkerMetrics> ByMeter = [];
    private static readonly Meter Detached = new("Augur.Workers.Detached");

    private readonly Counter<long> _failures;
    private readonly Counter<long> _restarts;
    private readonly ConcurrentDictionary<WorkerInstance, byte> _instances = new();

    private WorkerMetrics(Meter meter)
    {
        _failures = meter.CreateCounter<long>("augur.worker.failures", "{failure}", "Workers that died, lost their connection or hung, by cause.");
        _restarts = meter.CreateCounter<long>("augur.worker.restarts", "{restart}", "Workers started again after a failure.");
        meter.CreateObservableGauge("augur.worker.memory", ObserveMemory, "By", "Resident memory of each live worker process.");
    }

    /// <summary>The instruments on <paramref name="meter"/>, created once per meter (a meter-less load gets detached ones).</summary>
    public static WorkerMetrics For(Meter? meter) => ByMeter.GetValue(meter ?? Detached, m => new WorkerMetrics(m));

    public void Track(WorkerInstance instance) => _instances.TryAdd(instance, 0);

    public void Untrack(WorkerInstance instance) => _instances.TryRemove(instance, out _);

    public void Failed(WorkerSlot slot, string cause) => _failures.Add(1, Tags(slot, ("cause", cause)));

    public void Restarted(WorkerSlot slot) => _restarts.Add(1, Tags(slot));

    private IEnumerable<Measurement<long>> ObserveMemory() =>
        _instances.Keys.Select(i => new Measurement<long>(i.ResidentBytes, Tags(i.Slot, ("instance", i.Slot.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToArray();

    private static KeyValuePair<string, object?>[] Tags(WorkerSlot slot, params (string Key, string Value)[] extra) =>
    [
        new("model", slot.Model),
        new("version", slot.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        .. extra.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)),
    ];
}
