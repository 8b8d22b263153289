using Augur.Core.Tests.Caching;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Tests.Supervision;

/// <summary>
/// A worker started elsewhere has no process the server can watch: between batches it is asked for its health every
/// health_check_interval_ms, and one that fails a check or does not answer it within call_timeout_ms is down (readiness
/// false, with the reason) until it is reached again (scripted workers, a fake clock).
/// </summary>
public sealed class RemoteWorkerWatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1000);

    // Watches the pause between health checks, so a test knows the next check is due once it advances that far.
    private readonly TimerWatchingClock _time = new(Interval);
    private readonly ScriptedWorkers _workers;

    public RemoteWorkerWatchTests() => _workers = new ScriptedWorkers(_time);

    private Task<WorkerInstance> StartAsync() => WorkerInstance.StartAsync(
        new WorkerSlot("m", 1, 0, "/models/m/1", "onnxruntime", WorkerSettings.Default with { CallTimeout = CallTimeout, HealthCheckInterval = Interval }),
        _workers, _time, WorkerMetrics.For(null), NullLogger.Instance, CancellationToken.None).WaitAsync(Bound);

    [Fact]
    public async Task A_healthy_worker_is_asked_every_interval_and_no_more_once_the_instance_stops()
    {
        var instance = await StartAsync();
        for (var check = 1; check <= 3; check++)
        {
            Assert.Equal(Interval, await _time.NextTimerAsync());
            Assert.Equal(check - 1, _workers.Connections[0].Pings);
            _time.Advance(Interval);
        }

        Assert.Equal(Interval, await _time.NextTimerAsync());   // the fourth pause began: the third check was answered
        Assert.Equal(3, _workers.Connections[0].Pings);
        Assert.True(instance.Health.IsReady);

        await instance.DisposeAsync();
        _time.Advance(Interval * 3);
        Assert.Equal(3, _workers.Connections[0].Pings);
        Assert.Equal(1, _workers.Launches);
    }

    [Fact]
    public async Task A_worker_that_fails_its_health_check_is_down_with_the_reason_and_reached_again()
    {
        await using var instance = await StartAsync();
        Assert.Equal(Interval, await _time.NextTimerAsync());
        _workers.Connections[0].Ping = _ => Task.FromException(new IOException("Connection refused"));
        var reconnect = _workers.HoldNextLaunch();

        _time.Advance(Interval);
        await _workers.LaunchHeld.Task.WaitAsync(Bound);

        Assert.False(instance.Health.IsReady);
        Assert.Equal("worker 0 of model 'm' version 1 is down: its health check failed (Connection refused); restarting", instance.Health.Reason);
        reconnect.SetResult();
        await instance.Restarting.WaitAsync(Bound);
        Assert.True(instance.Health.IsReady);
        Assert.True(_workers.Connections[0].IsDisposed);
        Assert.Equal(2, _workers.Launches);
    }

    [Fact]
    public async Task A_worker_that_does_not_answer_its_health_check_within_the_call_timeout_is_down_and_reached_again()
    {
        await using var instance = await StartAsync();
        Assert.Equal(Interval, await _time.NextTimerAsync());
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _workers.Connections[0].Ping = token =>
        {
            asked.TrySetResult();
            return Task.Delay(Timeout.Infinite, token);
        };
        var reconnect = _workers.HoldNextLaunch();

        _time.Advance(Interval);
        await asked.Task.WaitAsync(Bound);   // the check's timeout is on the clock once it is asked
        Assert.True(instance.Health.IsReady);
        _time.Advance(CallTimeout);
        await _workers.LaunchHeld.Task.WaitAsync(Bound);

        Assert.Equal("worker 0 of model 'm' version 1 is down: it did not answer a health check within 100 ms; restarting", instance.Health.Reason);
        reconnect.SetResult();
        await instance.Restarting.WaitAsync(Bound);
        Assert.True(instance.Health.IsReady);
        Assert.Equal(2, _workers.Launches);
    }
}
