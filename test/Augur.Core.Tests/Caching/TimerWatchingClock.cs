using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Core.Tests.Caching;

/// <summary>
/// A fake clock that reports when a timer due in one of the <paramref name="watched"/> times is created: how a test knows
/// a bounded wait of that length has begun and can be ended with <see cref="FakeTimeProvider.Advance"/>.
/// </summary>
internal sealed class TimerWatchingClock(params TimeSpan[] watched) : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>Completes, with its due time, when the next timer due in a watched time is created.</summary>
    public Task<TimeSpan> NextTimerAsync() => _created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (Array.IndexOf(watched, dueTime) >= 0)
        {
            _created.Writer.TryWrite(dueTime);
        }

        return timer;
    }
}
