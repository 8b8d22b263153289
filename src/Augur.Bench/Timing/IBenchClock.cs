namespace Augur.Bench.Timing;

/// <summary>
/// The load generator's time and threads. The system clock uses <see cref="System.Diagnostics.Stopwatch"/>, a
/// dedicated dispatcher thread and the thread pool; tests use a virtual clock that runs a scenario as a
/// discrete-event simulation, so scenario semantics are checked without sleeping.
/// </summary>
public interface IBenchClock
{
    /// <summary>Timestamps per second.</summary>
    long Frequency { get; }

    /// <summary>The current timestamp.</summary>
    long Now { get; }

    /// <summary>Completes at <paramref name="timestamp"/> (at once when it has passed). Called only by a dispatcher loop.</summary>
    ValueTask WaitUntilAsync(long timestamp, CancellationToken cancellationToken);

    /// <summary>Runs the open-loop dispatcher loop where waiting for the schedule cannot be delayed by other work.</summary>
    Task RunDispatcherAsync(Func<Task> loop);

    /// <summary>
    /// Starts one of several closed loops that must run side by side even when the target answers synchronously
    /// (the in-process engine often does): the system clock starts it on the thread pool.
    /// </summary>
    Task StartLoopAsync(Func<Task> loop);

    /// <summary>Starts <paramref name="work"/> without waiting for it, so the dispatcher's cost per query stays a queue operation.</summary>
    void Fork<TState>(Func<TState, Task> work, TState state);
}
