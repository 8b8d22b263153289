using Microsoft.Extensions.Time.Testing;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>
/// A fake clock that reports when a timer due in <paramref name="watched"/> is created, which is how a test knows that
/// a wait of that length on this clock (<c>Task.Delay</c> with a time provider) has begun and can be ended by
/// <see cref="FakeTimeProvider.Advance"/>.
/// </summary>
internal sealed class TimerWatchingClock(TimeSpan watched) : FakeTimeProvider
{
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a timer due in the watched time exists.</summary>
    public Task TimerCreated => _created.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watched)
        {
            _created.TrySetResult();
        }

        return timer;
    }
}
