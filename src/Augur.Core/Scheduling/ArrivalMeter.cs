namespace Augur.Scheduling;

/// <summary>
/// How fast samples reach a model version, and how many of them arrive while it already has requests in flight.
/// Both decay over <see cref="Window"/>, so they follow the load as it changes. The second tells an open stream of
/// requests (more come while one waits) from a closed loop of one client (the next request comes only after the
/// answer), where waiting for peers can never gain a sample. Not thread-safe; the batcher holds its lock.
/// </summary>
internal sealed class ArrivalMeter(Timestamps time)
{
    /// <summary>The time over which arrivals are averaged.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private readonly double _windowTicks = time.ToTicks(Window);
    private readonly double _ticksPerSecond = time.ToTicks(TimeSpan.FromSeconds(1));
    private double _decayedRows;
    private long _last;
    private bool _any;
    private double _whileBusy;

    /// <summary>Counts <paramref name="rows"/> samples arriving at <paramref name="now"/>; <paramref name="busy"/> when the version had requests in flight.</summary>
    public void Arrived(int rows, long now, bool busy)
    {
        _decayedRows = DecayedRows(now) + rows;
        _last = now;
        _whileBusy = _any ? (_whileBusy * 0.95) + (busy ? 0.05 : 0) : (busy ? 1 : 0);
        _any = true;
    }

    /// <summary>Samples per second at <paramref name="now"/>.</summary>
    public double RowsPerSecond(long now) => DecayedRows(now) / _windowTicks * _ticksPerSecond;

    /// <summary>The share (0 to 1) of recent arrivals that found requests in flight.</summary>
    public double ArrivingWhileBusy => _whileBusy;

    private double DecayedRows(long now) =>
        _any ? _decayedRows * Math.Exp(-Math.Max(0, now - _last) / _windowTicks) : 0;
}
