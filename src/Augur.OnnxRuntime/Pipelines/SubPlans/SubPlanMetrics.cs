using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Shared sub-plan instruments on the engine's meter, one series per shared step (tags <c>step</c>, its fingerprint, and
/// <c>featurizer</c>, its kind: a featurizer's, or <c>onnx_prefix</c> for an ONNX graph prefix of plain models): <c>augur.pipeline.shared_step_users</c> (pipeline versions holding it),
/// <c>augur.pipeline.shared_step_calls</c> (batches sent to it) and <c>augur.pipeline.shared_step_runs</c> (times it ran;
/// calls ÷ runs is how many pipelines' batches one run served). Created once per meter, over every backend that
/// loaded pipelines with it.
/// </summary>
internal sealed class SubPlanMetrics
{
    private static readonly ConditionalWeakTable<Meter, SubPlanMetrics> ByMeter = [];

    private readonly ConcurrentDictionary<SharedSteps, byte> _registries = new();

    private SubPlanMetrics(Meter meter)
    {
        meter.CreateObservableGauge("augur.pipeline.shared_step_users", () => Measure(s => (long)s.Users), "{version}", "Loaded pipeline versions that run this shared featurizer step.");
        meter.CreateObservableCounter("augur.pipeline.shared_step_calls", () => Measure(s => s.Step.Calls), "{batch}", "Batches of pipelines sent to this shared featurizer step.");
        meter.CreateObservableCounter("augur.pipeline.shared_step_runs", () => Measure(s => s.Step.Runs), "{run}", "Times this shared featurizer step ran, each for one or more pipelines' batches.");
    }

    /// <summary>Reports <paramref name="steps"/> on <paramref name="meter"/> (no meter: nothing to report on).</summary>
    public static void Track(Meter? meter, SharedSteps steps)
    {
        if (meter is not null)
        {
            ByMeter.GetValue(meter, m => new SubPlanMetrics(m))._registries.TryAdd(steps, 0);
        }
    }

    private IEnumerable<Measurement<long>> Measure(Func<(SharedStep Step, int Users), long> value) =>
        _registries.Keys
            .SelectMany(r => r.Snapshot())
            .Select(s => new Measurement<long>(value((s.Step, s.Users.Count)),
                new KeyValuePair<string, object?>("step", s.Step.Fingerprint), new KeyValuePair<string, object?>("featurizer", s.Step.Computation.Kind)))
            .ToArray();
}
