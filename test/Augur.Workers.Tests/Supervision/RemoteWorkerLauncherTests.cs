using Augur.Core.Tests.Caching;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Tests.Supervision;

/// <summary>
/// How the server reaches a worker started elsewhere (a sidecar, which may come up after the server): at load it keeps
/// trying, after doubling pauses, until start_timeout_ms; a restart tries once (scripted connections, a fake clock).
/// </summary>
public sealed class RemoteWorkerLauncherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CallTimeout = Ms(50);
    private static readonly WorkerEndpoint Sidecar = WorkerEndpoint.UnixSocket("/sockets/m.sock");

    // The pauses between attempts; a health check's own timeout (CallTimeout) is not watched.
    private readonly TimerWatchingClock _time = new(Ms(100), Ms(200), Ms(400), Ms(800), Ms(1600), Ms(2000), Ms(900));
    private readonly ScriptedEndpoint _endpoint = new();

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static WorkerSlot Slot(TimeSpan startTimeout) =>
        new("m", 1, 0, "/models/m/1", "onnxruntime", WorkerSettings.Default with { CallTimeout = CallTimeout, StartTimeout = startTimeout });

    private RemoteWorkerLauncher Launcher(TimeSpan startTimeout) => new(Slot(startTimeout), Sidecar, _endpoint.Connect, _time, NullLogger.Instance);

    [Fact]
    public async Task At_load_a_worker_not_up_yet_is_tried_again_after_doubling_pauses_until_it_answers()
    {
        _endpoint.Refuse(3, "Connection refused");

        var launch = Launcher(TimeSpan.FromSeconds(60)).LaunchAsync(CancellationToken.None);
        foreach (var pause in new[] { Ms(100), Ms(200), Ms(400) })
        {
            Assert.Equal(pause, await _time.NextTimerAsync());
            Assert.False(launch.IsCompleted);
            _time.Advance(pause);
        }

        await using var live = await launch.WaitAsync(Bound);
        Assert.Equal(4, _endpoint.Connections.Count);
        Assert.Same(_endpoint.Connections[3], live.Connection);
        Assert.All(_endpoint.Connections.Take(3), refused => Assert.True(refused.IsDisposed));
    }

    [Fact]
    public async Task At_load_a_worker_that_never_answers_fails_the_start_after_start_timeout_naming_the_endpoint_the_wait_and_the_last_error()
    {
        _endpoint.Refuse(100, "Connection refused");

        var start = WorkerInstance.StartAsync(Slot(TimeSpan.FromSeconds(10)), Launcher(TimeSpan.FromSeconds(10)), _time, WorkerMetrics.For(null), NullLogger.Instance, CancellationToken.None);
        // Doubling pauses capped at LongestPause, the last one cut to what is left of the 10 s.
        TimeSpan[] pauses = [Ms(100), Ms(200), Ms(400), Ms(800), Ms(1600), Ms(2000), Ms(2000), Ms(2000), Ms(900)];
        foreach (var pause in pauses)
        {
            Assert.Equal(pause, await _time.NextTimerAsync());
            Assert.False(start.IsCompleted);
            _time.Advance(pause);
        }

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => start.WaitAsync(Bound));
        Assert.Equal(
            "worker 0 of model 'm' version 1 at unix:/sockets/m.sock did not start: nothing answered at unix:/sockets/m.sock in 10000 ms of trying "
            + "(backend_settings.worker.start_timeout_ms; 9 attempts); the last attempt: Connection refused",
            failure.Message);
        Assert.Equal(9, _endpoint.Connections.Count);
        Assert.All(_endpoint.Connections, refused => Assert.True(refused.IsDisposed));
    }

    [Fact]
    public async Task At_load_an_attempt_not_answered_within_the_call_timeout_is_given_up_and_tried_again()
    {
        _endpoint.Ignore();

        var launch = Launcher(TimeSpan.FromSeconds(60)).LaunchAsync(CancellationToken.None);
        // The first health check's timeout is on the clock once LaunchAsync has returned.
        _time.Advance(CallTimeout);
        Assert.Equal(Ms(100), await _time.NextTimerAsync());
        _time.Advance(Ms(100));

        await using var live = await launch.WaitAsync(Bound);
        Assert.Equal(2, _endpoint.Connections.Count);
        Assert.True(_endpoint.Connections[0].IsDisposed);
        Assert.Same(_endpoint.Connections[1], live.Connection);
    }

    [Fact]
    public async Task An_attempt_at_load_never_runs_past_the_start_timeout_and_its_silence_is_the_last_error()
    {
        _endpoint.Ignore();

        var launch = Launcher(Ms(30)).LaunchAsync(CancellationToken.None);
        _time.Advance(Ms(30));

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => launch.WaitAsync(Bound));
        Assert.Equal("nothing answered at unix:/sockets/m.sock in 30 ms of trying (backend_settings.worker.start_timeout_ms; 1 attempt); the last attempt: it did not answer within 30 ms", failure.Message);
        Assert.True(Assert.Single(_endpoint.Connections).IsDisposed);
    }

    [Fact]
    public async Task A_restart_tries_the_worker_once_and_leaves_the_waiting_to_the_restart_backoff()
    {
        var launcher = Launcher(TimeSpan.FromSeconds(60));
        await using (await launcher.LaunchAsync(CancellationToken.None).WaitAsync(Bound))
        {
        }

        _endpoint.Refuse(1, "Connection refused");

        // The fake clock never moves: a restart that paused to wait for the worker would not complete.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => launcher.LaunchAsync(CancellationToken.None).WaitAsync(Bound));
        Assert.Equal("the worker at unix:/sockets/m.sock does not answer: Connection refused", failure.Message);
        Assert.Equal(2, _endpoint.Connections.Count);
        Assert.True(_endpoint.Connections[1].IsDisposed);
    }
}
