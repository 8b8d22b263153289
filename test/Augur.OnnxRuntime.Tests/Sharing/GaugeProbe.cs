using System.Diagnostics.Metrics;

namespace Augur.OnnxRuntime.Tests.Sharing;

/// <summary>
/// The meter factory of one engine, reading its engine-wide gauges now. Listens to this factory's meters only: other
/// tests' engines, running in parallel, publish meters of the same name.
/// </summary>
internal sealed class GaugeProbe : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly List<Meter> _meters = [];
    private readonly Dictionary<string, long> _last = [];

    public GaugeProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_last)
            {
                _last[instrument.Name] = value;
            }
        });
        _listener.Start();
    }

    /// <summary>What the gauge <paramref name="name"/> reports now.</summary>
    public long Read(string name)
    {
        lock (_listener)
        {
            lock (_last)
            {
                _last.Remove(name);
            }

            _listener.RecordObservableInstruments();
            lock (_last)
            {
                return _last.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"no gauge '{name}'; observed: {string.Join(", ", _last.Keys)}");
            }
        }
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }
}
