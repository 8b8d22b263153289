using Augur.Bench.Scenarios;

namespace Augur.Bench.Timing;

/// <summary>
/// The merged arrival schedule of the Streams scenario: the next reading of any stream, in time order (ties by stream
/// number). Fixed intervals start each stream at a seeded random phase within one interval; Poisson gives each stream
/// its own seeded process. The same seed gives the same schedule.
/// </summary>
internal sealed class StreamArrivalSchedule
{
    private readonly PriorityQueue<int, (long Time, int Stream)> _next = new();
    private readonly double[] _fixedNext;
    private readonly PoissonArrivals[]? _poisson;
    private readonly double _intervalTicks;

    public StreamArrivalSchedule(long start, int streams, double readingsPerSecond, StreamArrivals arrivals, int seed, long frequency)
    {
        _intervalTicks = frequency / readingsPerSecond;
        _fixedNext = new double[streams];
        var phases = new Random(seed);
        if (arrivals == StreamArrivals.Poisson)
        {
            _poisson = new PoissonArrivals[streams];
        }

        for (var i = 0; i < streams; i++)
        {
            long first;
            if (_poisson is not null)
            {
                _poisson[i] = new PoissonArrivals(start, readingsPerSecond, unchecked((seed * 7919) + i), frequency);
                first = _poisson[i].Next();
            }
            else
            {
                _fixedNext[i] = start + (phases.NextDouble() * _intervalTicks);
                first = (long)_fixedNext[i];
            }

            _next.Enqueue(i, (first, i));
        }
    }

    /// <summary>The next reading: when it is due and which stream sends it.</summary>
    public (long Time, int Stream) Next()
    {
        _next.TryDequeue(out var stream, out var at);
        long following;
        if (_poisson is not null)
        {
            following = _poisson[stream].Next();
        }
        else
        {
            // Accumulated as a double so rounding to whole ticks never drifts the rate.
            _fixedNext[stream] += _intervalTicks;
            following = (long)_fixedNext[stream];
        }

        _next.Enqueue(stream, (following, stream));
        return at;
    }
}
