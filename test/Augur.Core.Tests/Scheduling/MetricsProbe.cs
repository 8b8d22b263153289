using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// The meter factory of one engine, listening to its meters only: other tests' engines, running in parallel, also
/// publish a meter named "Augur", and a listener that went by the name would count their measurements too.
/// </summary>
internal sealed class MetricsProbe : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Meter> _meters = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MetricsProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>One measurement: the instrument's name, the value and its tags (tag values as strings).</summary>
    public sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

    /// <summary>Every measurement of <paramref name="instrument"/> so far.</summary>
    public IReadOnlyList<Recorded> Of(string instrument) => _recorded.Where(r => r.Instrument == instrument).ToArray();

    /// <summary>The value an observable gauge reports now for one model version.</summary>
    public int Gauge(string instrument, string model = "echo", string version = "1")
    {
        lock (_listener)
        {
            var before = _recorded.Count;
            _listener.RecordObservableInstruments();
            var seen = _recorded.Skip(before).ToArray();
            var found = seen.LastOrDefault(r => r.Instrument == instrument && r.Tags["model"] == model && r.Tags["version"] == version);
            return found is not null
                ? (int)found.Value
                : throw new InvalidOperationException($"no gauge '{instrument}' for {model} version {version}; observed: {string.Join(", ", seen.Select(r => r.Instrument))}");
        }
    }

    /// <summary>The value an observable gauge without tags (an engine-wide one) reports now.</summary>
    public double Observe(string instrument)
    {
        lock (_listener)
        {
            var before = _recorded.Count;
            _listener.RecordObservableInstruments();
            return _recorded.Skip(before).LastOrDefault(r => r.Instrument == instrument)?.Value
                ?? throw new InvalidOperationException($"no gauge '{instrument}'");
        }
    }

    /// <summary>The sum a counter recorded for <paramref name="model"/>.</summary>
    public double Count(string instrument, string model) =>
        Of(instrument).Where(r => r.Tags.TryGetValue("model", out var m) && m == model).Sum(r => r.Value);

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Enqueue(meter);
        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        _recorded.Enqueue(new Recorded(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
