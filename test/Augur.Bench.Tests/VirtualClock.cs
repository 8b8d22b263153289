using Augur.Bench.Timing;

namespace Augur.Bench.Tests;

/// <summary>
/// Virtual time in nanoseconds: a scenario runs as a discrete-event simulation on the test's thread. Waiters are
/// released in time order (ties in the order they were made), and a released waiter's continuation runs inline, so
/// a run is deterministic and takes no real time.
/// </summary>
internal sealed class VirtualClock : IBenchClock
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly PriorityQueue<TaskCompletionSource, (long Time, long Sequence)> _waiters = new();
    private long _sequence;

    public long Frequency => 1_000_000_000;

    public long Now { get; private set; }

    public static long Ms(double milliseconds) => (long)(milliseconds * 1_000_000);

    public ValueTask WaitUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        if (timestamp <= Now)
        {
            return ValueTask.CompletedTask;
        }

        var waiter = new TaskCompletionSource();
        _waiters.Enqueue(waiter, (timestamp, _sequence++));
        return new ValueTask(waiter.Task);
    }

    public Task RunDispatcherAsync(Func<Task> loop) => loop();

    public Task StartLoopAsync(Func<Task> loop) => loop();

    public void Fork<TState>(Func<TState, Task> work, TState state) => _ = work(state);

    /// <summary>Runs <paramref name="body"/> to completion, advancing time from one waiter to the next.</summary>
    public T Run<T>(Func<Task<T>> body)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            var task = body();
            while (!task.IsCompleted && _waiters.TryDequeue(out var waiter, out var at))
            {
                Now = at.Time;
                waiter.SetResult();
            }

            Assert.True(task.Wait(Bound), "the run did not complete once every waiter was released");
            return task.Result;
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }
}
