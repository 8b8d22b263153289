using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Workers.Tests.Supervision;

/// <summary>
/// A batch that finds its worker down while the immediate restart runs waits for the new worker (up to
/// <c>restart_wait_ms</c>), so one crash fails only the batch that was in flight (scripted workers, a fake clock).
/// </summary>
public sealed class RestartWaitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RestartWait = TimeSpan.FromMilliseconds(2000);

    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedWorkers _workers;

    public RestartWaitTests() => _workers = new ScriptedWorkers(_time);

    private Task<WorkerInstance> StartAsync() => WorkerInstance.StartAsync(
        new WorkerSlot("m", 1, 0, "/models/m/1", "onnxruntime", WorkerSettings.Default with { RestartWait = RestartWait }),
        _workers, _time, WorkerMetrics.For(null), NullLogger.Instance, CancellationToken.None).WaitAsync(Bound);

    private static InferenceRequest[] Batch() => [new InferenceRequest("m", [InferenceTensor.Create("x", new[] { 1f }, 1, 1)])];

    /// <summary>Breaks the first worker's call with the restart held at a gate; returns the gate and the failed in-flight batch.</summary>
    private async Task<(TaskCompletionSource Gate, BatchResult InFlight)> CrashWithTheRestartHeldAsync(WorkerInstance instance)
    {
        var inFlight = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);
        var gate = _workers.HoldNextLaunch();
        _workers.Connections[0].Break("connection reset by peer");
        var failed = await inFlight.WaitAsync(Bound);
        await _workers.LaunchHeld.Task.WaitAsync(Bound);
        return (gate, failed);
    }

    [Fact]
    public async Task Only_the_batch_in_flight_fails_and_a_batch_sent_during_the_restart_is_answered_by_the_new_worker()
    {
        await using var instance = await StartAsync();
        var (gate, inFlight) = await CrashWithTheRestartHeldAsync(instance);

        var during = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        Assert.False(instance.Health.IsReady);
        Assert.False(during.IsCompleted);
        gate.SetResult();
        await _workers.LaunchedAgain.Task.WaitAsync(Bound);
        await _workers.Connections[1].CallArrived.Task.WaitAsync(Bound);
        _workers.Connections[1].Answer(BatchResult.Failure(InferenceError.Invalid("answered by the new worker")));

        Assert.Equal(ErrorCode.Unavailable, inFlight.Error?.Code);
        Assert.Equal("answered by the new worker", (await during.WaitAsync(Bound)).Error?.Message);
        Assert.True(instance.Health.IsReady);
    }

    [Fact]
    public async Task A_batch_waits_for_the_restart_no_longer_than_restart_wait_and_then_fails_with_the_reason()
    {
        await using var instance = await StartAsync();
        var (gate, _) = await CrashWithTheRestartHeldAsync(instance);

        var during = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        _time.Advance(RestartWait - TimeSpan.FromMilliseconds(1));
        Assert.False(during.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await during.WaitAsync(Bound);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.Equal("worker 0 of model 'm' version 1 is down: the worker does not answer (connection reset by peer); restarting", result.Error?.Message);
        gate.SetResult();
        await instance.Restarting.WaitAsync(Bound);
        Assert.True(instance.Health.IsReady);
    }

    [Fact]
    public async Task A_batch_waiting_for_the_restart_fails_as_soon_as_that_attempt_fails()
    {
        await using var instance = await StartAsync();
        var (gate, _) = await CrashWithTheRestartHeldAsync(instance);
        _workers.FailNextLaunch(new InvalidOperationException("the worker exited with code 2 before it was ready"));

        var during = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        gate.SetResult();
        var result = await during.WaitAsync(Bound);

        Assert.Equal("worker 0 of model 'm' version 1 is down: the restart failed (the worker exited with code 2 before it was ready); retrying", result.Error?.Message);
    }

    [Fact]
    public async Task A_cancelled_batch_stops_waiting_for_the_restart()
    {
        await using var instance = await StartAsync();
        var (gate, _) = await CrashWithTheRestartHeldAsync(instance);
        using var cancel = new CancellationTokenSource();

        var during = instance.ExecuteAsync(Batch(), cancel.Token).AsTask();
        await cancel.CancelAsync();

        Assert.Equal(ErrorCode.Cancelled, (await during.WaitAsync(Bound)).Error?.Code);
        gate.SetResult();
        await instance.Restarting.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_batch_waiting_for_the_restart_fails_when_the_instance_stops()
    {
        var instance = await StartAsync();
        var (gate, _) = await CrashWithTheRestartHeldAsync(instance);
        var during = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();

        var stopping = instance.DisposeAsync().AsTask();
        var result = await during.WaitAsync(Bound);
        gate.SetResult();
        await stopping.WaitAsync(Bound);

        Assert.Equal("worker 0 of model 'm' version 1 is down: stopped", result.Error?.Message);
    }
}
