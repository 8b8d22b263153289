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
    private readonly Dictionary<(string Name, string Tags), long> _tagged = [];

    public GaugeProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var text = string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (_last)
            {
                _last[instrument.Name] = value;
                _tagged[(instrument.Name, text)] = value;
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

    /// <summary>What the gauge <paramref name="name"/> reports now for each of its tag sets ("key=value,key=value").</summary>
    public IReadOnlyDictionary<string, long> ReadTagged(string name)
    {
        lock (_listener)
        {
            lock (_last)
            {
                foreach (var key in _tagged.Keys.Where(k => k.Name == name).ToArray())
                {
                    _tagged.Remove(key);
                }
            }

            _listener.RecordObservableInstruments();
            lock (_last)
            {
                return _tagged.Where(p => p.Key.Name == name).ToDictionary(p => p.Key.Tags, p => p.Value);
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
