using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Augur.OnnxRuntime.Backend;

namespace Augur.OnnxRuntime.Diagnostics;

/// <summary>
/// The gauge <c>augur.onnxruntime.models</c> on the engine's meter: the ONNX Runtime graphs loaded (a model.onnx, a fused
/// pipeline, each ONNX step of a pipeline run step by step), by <c>thread_pool</c> (<c>global</c> or <c>own</c>) and
/// <c>arena</c> (<c>shared</c> or <c>own</c>). Created once per meter, as <see cref="Sharing.SharedWeightMetrics"/>.
/// </summary>
internal sealed class OnnxRuntimeModelMetrics
{
    private static readonly ConditionalWeakTable<Meter, OnnxRuntimeModelMetrics> ByMeter = [];

    // Indexed by (global pool ? 1 : 0) * 2 + (shared arena ? 1 : 0); read under no lock, as gauges are.
    private readonly long[] _counts = new long[4];

    private OnnxRuntimeModelMetrics(Meter meter) =>
        meter.CreateObservableGauge("augur.onnxruntime.models", Observe, "{model}", "ONNX Runtime graphs loaded, by whether their sessions use the global thread pools and the shared CPU arena.");

    /// <summary>Counts one model with <paramref name="settings"/> until the returned handle is disposed; null without a meter.</summary>
    public static IDisposable? Track(Meter? meter, SessionSettings settings)
    {
        if (meter is null)
        {
            return null;
        }

        var metrics = ByMeter.GetValue(meter, m => new OnnxRuntimeModelMetrics(m));
        var index = (settings.GlobalThreadPool ? 2 : 0) + (settings.SharedArena ? 1 : 0);
        Interlocked.Increment(ref metrics._counts[index]);
        return new Counted(metrics, index);
    }

    private Measurement<long>[] Observe() =>
    [
        Measure(0, "own", "own"),
        Measure(1, "own", "shared"),
        Measure(2, "global", "own"),
        Measure(3, "global", "shared"),
    ];

    private Measurement<long> Measure(int index, string threadPool, string arena) =>
        new(Volatile.Read(ref _counts[index]), new KeyValuePair<string, object?>("thread_pool", threadPool), new KeyValuePair<string, object?>("arena", arena));

    private sealed class Counted(OnnxRuntimeModelMetrics metrics, int index) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref metrics._counts[index]);
            }
        }
    }
}
