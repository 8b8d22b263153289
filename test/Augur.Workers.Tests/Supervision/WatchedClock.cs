using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Workers.Tests.Supervision;

/// <summary>A fake clock that also tells when code starts waiting on it: a timer of a given due time was created.</summary>
internal sealed class WatchedClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _waits = new();

    /// <summary>Completes once a timer due after <paramref name="due"/> has been created (e.g. a Task.Delay of that length started).</summary>
    public Task TimerStarted(TimeSpan due) => Signal(due).Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Signal(dueTime).TrySetResult();
        return timer;
    }

    private TaskCompletionSource Signal(TimeSpan due) => _waits.GetOrAdd(due, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
