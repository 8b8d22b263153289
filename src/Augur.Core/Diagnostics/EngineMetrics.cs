using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Augur.Errors;

namespace Augur.Diagnostics;

/// <summary>
/// The engine's instruments, on the meter <see cref="MeterName"/>. Names follow OpenTelemetry's conventions
/// (dots, units in seconds); a Prometheus exporter turns <c>augur.request.duration</c> with unit <c>s</c> into
/// <c>augur_request_duration_seconds</c> and counters into <c>..._total</c>. Every instrument is tagged with
/// <c>model</c> and <c>version</c>.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Augur";

    // Seconds, from 100 µs to 10 s: inference latencies span that range.
    private static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly IReadOnlyList<int> BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<ModelMetrics, byte> _models = new();
    private readonly ConcurrentDictionary<SequenceGauge, byte> _sequences = new();

    public EngineMetrics(IMeterFactory? factory)
    {
        var options = new MeterOptions(MeterName) { Version = typeof(EngineMetrics).Assembly.GetName().Version?.ToString() };
        _meter = factory?.Create(options) ?? new Meter(options);
        _ownsMeter = factory is null;

        Requests = _meter.CreateCounter<long>("augur.requests", "{request}", "Inference requests that reached a model version, by outcome.");
        RequestDuration = _meter.CreateHistogram<double>("augur.request.duration", "s", "Time from arrival at the engine to the outcome.", advice: new() { HistogramBucketBoundaries = LatencyBuckets });
        QueueDuration = _meter.CreateHistogram<double>("augur.queue.duration", "s", "Time requests waited in the model's queue before their batch started.", advice: new() { HistogramBucketBoundaries = LatencyBuckets });
        ComputeDuration = _meter.CreateHistogram<double>("augur.compute.duration", "s", "Compute time of each batch (input, infer, output).", advice: new() { HistogramBucketBoundaries = LatencyBuckets });
        BatchSize = _meter.CreateHistogram<int>("augur.batch.size", "{sample}", "Samples per executed batch, by dispatch reason.", advice: new() { HistogramBucketBoundaries = BatchBuckets });
        InstanceBusyTime = _meter.CreateCounter<double>("augur.instance.busy.time", "s", "Time instances spent executing batches; its rate over the instance count is the utilisation.");
        _meter.CreateObservableGauge("augur.queue.depth", () => Observe(m => m.QueueDepth), "{request}", "Requests waiting in the model's queue.");
        _meter.CreateObservableGauge("augur.instance.busy", () => Observe(m => m.BusyInstances), "{instance}", "Instances executing a batch now.");
        _meter.CreateObservableGauge("augur.instances", () => Observe(m => m.InstanceCount), "{instance}", "Instances of the model version.");
        _meter.CreateObservableGauge("augur.sequences.live", () => _sequences.Keys.Select(g => new Measurement<int>(g.Read(), g.Tags)).ToArray(), "{sequence}", "Live sequences of a stateful model version: started, not ended, not expired.");
        _meter.CreateObservableGauge("augur.batch.limit", () => Observe(m => m.BatchLimit), "{sample}", "The batch size limit now (adapted to the latency objective when the model has one).");
        _meter.CreateObservableGauge("augur.batch.target", () => Observe(m => m.BatchTarget), "{sample}", "The batch size the model's learned cost curve makes worth waiting for; 1 when waiting cannot raise throughput or config.json sets the queue delay.");
    }

    public Meter Meter => _meter;

    public Counter<long> Requests { get; }

    public Histogram<double> RequestDuration { get; }

    public Histogram<double> QueueDuration { get; }

    public Histogram<double> ComputeDuration { get; }

    public Histogram<int> BatchSize { get; }

    public Counter<double> InstanceBusyTime { get; }

    public ModelMetrics ForVersion(string model, string version, IModelGauges gauges)
    {
        var metrics = new ModelMetrics(this, model, version, gauges);
        _models[metrics] = 0;
        return metrics;
    }

    public void Remove(ModelMetrics metrics) => _models.TryRemove(metrics, out _);

    /// <summary>Reports <paramref name="live"/> as the live sequences gauge of a model version until the result is disposed.</summary>
    public IDisposable TrackSequences(string model, string version, Func<int> live)
    {
        var gauge = new SequenceGauge(this, [new("model", model), new("version", version)], live);
        _sequences[gauge] = 0;
        return gauge;
    }

    private sealed class SequenceGauge(EngineMetrics owner, KeyValuePair<string, object?>[] tags, Func<int> read) : IDisposable
    {
        public KeyValuePair<string, object?>[] Tags => tags;

        public int Read() => read();

        public void Dispose() => owner._sequences.TryRemove(this, out _);
    }

    /// <summary>The <c>outcome</c> tag of a request: <c>success</c> or the error code in snake case.</summary>
    public static string OutcomeTag(ErrorCode? code) => code switch
    {
        null => "success",
        ErrorCode.InvalidArgument => "invalid_argument",
        ErrorCode.NotFound => "not_found",
        ErrorCode.Unavailable => "unavailable",
        ErrorCode.DeadlineExceeded => "deadline_exceeded",
        ErrorCode.ResourceExhausted => "resource_exhausted",
        ErrorCode.PayloadTooLarge => "payload_too_large",
        ErrorCode.Cancelled => "cancelled",
        _ => "internal",
    };

    private IEnumerable<Measurement<int>> Observe(Func<IModelGauges, int> read) =>
        _models.Keys.Select(m => new Measurement<int>(read(m.Gauges), m.Tags)).ToArray();

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
