using System.Diagnostics;

namespace Augur.Bench.Timing;

/// <summary>Real time: <see cref="Stopwatch"/> timestamps, a dedicated dispatcher thread and the thread pool.</summary>
public sealed class SystemClock : IBenchClock
{
    /// <summary>The one instance; it holds no state.</summary>
    public static SystemClock Instance { get; } = new();

    private SystemClock()
    {
    }

    /// <inheritdoc />
    public long Frequency => Stopwatch.Frequency;

    /// <inheritdoc />
    public long Now => Stopwatch.GetTimestamp();

    /// <inheritdoc />
    /// <remarks>Blocks the calling thread (the dedicated dispatcher) with a precise sleep instead of a timer.</remarks>
    public ValueTask WaitUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        PreciseSleep.Until(timestamp);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public Task RunDispatcherAsync(Func<Task> loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A dedicated thread keeps the schedule when the thread pool is busy with responses.
        var thread = new Thread(() =>
        {
            PreciseSleep.MinimizeTimerSlack();
            try
            {
                // Every wait completes synchronously, so the loop stays on this thread.
                loop().GetAwaiter().GetResult();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "bench dispatcher" };
        thread.Start();
        return done.Task;
    }

    /// <inheritdoc />
    public Task StartLoopAsync(Func<Task> loop) => Task.Run(loop);

    /// <inheritdoc />
    public void Fork<TState>(Func<TState, Task> work, TState state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Work(s.State), (Work: work, State: state), preferLocal: false);
}
