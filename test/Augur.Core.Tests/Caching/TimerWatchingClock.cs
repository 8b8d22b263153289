using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Core.Tests.Caching;

/// <summary>
/// A fake clock that reports when a timer due in <paramref name="watched"/> is created: how a test knows a bounded wait of
/// that length has begun and can be ended with <see cref="FakeTimeProvider.Advance"/>.
/// </summary>
internal sealed class TimerWatchingClock(TimeSpan watched) : FakeTimeProvider
{
    private readonly Channel<bool> _created = Channel.CreateUnbounded<bool>();

    /// <summary>Completes when the next timer due in the watched time is created.</summary>
    public Task NextTimerAsync() => _created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watched)
        {
            _created.Writer.TryWrite(true);
        }

        return timer;
    }
}
