using System.Diagnostics;
using Augur.Errors;
using Augur.Scheduling;

namespace Augur.Diagnostics;

/// <summary>The engine's instruments bound to one model version's tags, so recording allocates nothing per request.</summary>
internal sealed class ModelMetrics(EngineMetrics metrics, string model, string version, IModelGauges gauges)
{
    private static readonly string[] ReasonTags = Enum.GetValues<DispatchReason>().Select(r => r.ToTag()).ToArray();

    public IModelGauges Gauges { get; } = gauges;

    public KeyValuePair<string, object?>[] Tags { get; } = [new("model", model), new("version", version)];

    public void RequestCompleted(ErrorCode? error, TimeSpan duration)
    {
        var tags = new TagList(Tags) { { "outcome", EngineMetrics.OutcomeTag(error) } };
        metrics.Requests.Add(1, tags);
        metrics.RequestDuration.Record(duration.TotalSeconds, tags);
    }

    public void Queued(TimeSpan wait) => metrics.QueueDuration.Record(wait.TotalSeconds, Tags);

    public void BatchExecuted(int rows, DispatchReason reason, TimeSpan compute)
    {
        metrics.BatchSize.Record(rows, new TagList(Tags) { { "reason", ReasonTags[(int)reason] } });
        metrics.ComputeDuration.Record(compute.TotalSeconds, Tags);
        metrics.InstanceBusyTime.Add(compute.TotalSeconds, Tags);
    }

    public void Unregister() => metrics.Remove(this);
}
