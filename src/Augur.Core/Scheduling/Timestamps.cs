namespace Augur.Scheduling;

/// <summary>Arithmetic on <see cref="TimeProvider"/> timestamps, which count <see cref="TimeProvider.TimestampFrequency"/> ticks per second.</summary>
internal readonly struct Timestamps(TimeProvider time)
{
    private readonly double _ticksPerTimeSpanTick = (double)time.TimestampFrequency / TimeSpan.TicksPerSecond;

    public long Now => time.GetTimestamp();

    /// <summary><paramref name="timestamp"/> + <paramref name="span"/>, saturating instead of overflowing.</summary>
    public long Add(long timestamp, TimeSpan span)
    {
        var delta = span.Ticks * _ticksPerTimeSpanTick;
        return delta >= long.MaxValue - (double)timestamp ? long.MaxValue : timestamp + (long)delta;
    }

    /// <summary>The time from <paramref name="from"/> to <paramref name="to"/> (negative when <paramref name="to"/> is earlier).</summary>
    public TimeSpan Between(long from, long to) => TimeSpan.FromTicks((long)((to - from) / _ticksPerTimeSpanTick));

    public long ToTicks(TimeSpan span) => (long)(span.Ticks * _ticksPerTimeSpanTick);
}
