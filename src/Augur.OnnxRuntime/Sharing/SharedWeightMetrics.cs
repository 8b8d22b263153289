using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// Shared-weight gauges on the engine's meter: <c>augur.onnxruntime.shared_weights</c> (initializers held once),
/// <c>augur.onnxruntime.shared_weight_bytes</c> (their bytes) and <c>augur.onnxruntime.shared_weight_saved_bytes</c>
/// (the bytes the models would hold beyond that without sharing). Created once per meter; they sum the stores of the
/// backends that loaded models with it (one per engine, as a rule).
/// </summary>
internal sealed class SharedWeightMetrics
{
    private static readonly ConditionalWeakTable<Meter, SharedWeightMetrics> ByMeter = [];

    private readonly ConcurrentDictionary<SharedInitializerStore, byte> _stores = new();

    private SharedWeightMetrics(Meter meter)
    {
        meter.CreateObservableGauge("augur.onnxruntime.shared_weights", () => (long)Sum().Count, "{initializer}", "Initializers the ONNX Runtime backend holds once for every model that has them.");
        meter.CreateObservableGauge("augur.onnxruntime.shared_weight_bytes", () => Sum().HeldBytes, "By", "Bytes of the shared initializers, each counted once.");
        meter.CreateObservableGauge("augur.onnxruntime.shared_weight_saved_bytes", () => Sum().SavedBytes, "By", "Bytes the models would hold beyond the shared ones without sharing.");
    }

    /// <summary>Reports <paramref name="store"/> on <paramref name="meter"/> (no meter: nothing to report on).</summary>
    public static void Track(Meter? meter, SharedInitializerStore store)
    {
        if (meter is not null)
        {
            ByMeter.GetValue(meter, m => new SharedWeightMetrics(m))._stores.TryAdd(store, 0);
        }
    }

    private SharedWeightTotals Sum()
    {
        var (count, held, saved) = (0, 0L, 0L);
        foreach (var store in _stores.Keys)
        {
            var totals = store.Totals;
            count += totals.Count;
            held += totals.HeldBytes;
            saved += totals.SavedBytes;
        }

        return new SharedWeightTotals(count, held, saved);
    }
}
