using Augur.Backends;
using Augur.Core.Tests.Caching;
using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Tests.Supervision;

/// <summary>What a worker instance does when its worker breaks, hangs or cannot be started again (scripted workers, a fake clock).</summary>
public sealed class WorkerInstanceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(100);

    // Watches the wait before a second restart attempt, so a test can end exactly that wait.
    private readonly TimerWatchingClock _time = new(WorkerInstance.FirstRetryDelay);
    private readonly ScriptedWorkers _workers;

    public WorkerInstanceTests() => _workers = new ScriptedWorkers(_time);

    private Task<WorkerInstance> StartAsync() => WorkerInstance.StartAsync(
        new WorkerSlot("m", 1, 0, "/models/m/1", "onnxruntime", WorkerSettings.Default with { CallTimeout = CallTimeout }),
        _workers, _time, WorkerMetrics.For(null), NullLogger.Instance, CancellationToken.None).WaitAsync(Bound);

    private static InferenceRequest[] Batch() => [new InferenceRequest("m", [InferenceTensor.Create("x", new[] { 1f }, 1, 1)])];

    [Fact]
    public async Task A_batch_the_worker_answers_is_returned_as_it_is()
    {
        await using var instance = await StartAsync();
        var call = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);

        _workers.Connections[0].Answer(BatchResult.Failure(InferenceError.Invalid("bad value")));

        Assert.Equal("bad value", (await call.WaitAsync(Bound)).Error?.Message);
        Assert.True(instance.Health.IsReady);
        Assert.Equal(1, _workers.Launches);
    }

    [Fact]
    public async Task A_broken_connection_fails_the_batch_as_unavailable_and_the_worker_is_restarted_at_once()
    {
        await using var instance = await StartAsync();
        var call = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);

        _workers.Connections[0].Break("connection reset by peer");
        var result = await call.WaitAsync(Bound);
        await instance.Restarting.WaitAsync(Bound);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.Equal("worker 0 of model 'm' version 1 failed during the batch: the worker does not answer (connection reset by peer); restarting", result.Error?.Message);
        Assert.Equal(2, _workers.Launches);
        Assert.True(_workers.Connections[0].IsDisposed);
        Assert.True(instance.Health.IsReady);
    }

    [Fact]
    public async Task A_batch_not_answered_within_the_call_timeout_fails_and_the_hung_worker_is_replaced()
    {
        await using var instance = await StartAsync();
        var call = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);

        _time.Advance(CallTimeout);
        var result = await call.WaitAsync(Bound);
        await instance.Restarting.WaitAsync(Bound);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.Equal("worker 0 of model 'm' version 1 failed during the batch: did not answer a batch within 100 ms; it was killed; restarting", result.Error?.Message);
        Assert.Equal(2, _workers.Launches);
        Assert.True(instance.Health.IsReady);
    }

    [Fact]
    public async Task While_the_restart_fails_the_instance_is_down_and_fails_batches_at_once_until_a_later_attempt_works()
    {
        await using var instance = await StartAsync();
        var call = instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);
        _workers.FailNextLaunch(new InvalidOperationException("the worker exited with code 2 before it was ready"));
        var failedLaunch = _workers.LaunchedAgain.Task;

        _workers.Connections[0].Break("gone");
        await call.WaitAsync(Bound);
        await failedLaunch.WaitAsync(Bound);

        // The second attempt waits FirstRetryDelay on the fake clock. Once that wait has begun the failed attempt is
        // recorded: batches fail at once instead of waiting for a restart.
        var secondAttempt = _workers.LaunchedAgain.Task;
        Assert.Equal(WorkerInstance.FirstRetryDelay, await _time.NextTimerAsync());
        Assert.False(instance.Health.IsReady);
        var down = await instance.ExecuteAsync(Batch(), CancellationToken.None).AsTask().WaitAsync(Bound);
        Assert.Equal(ErrorCode.Unavailable, down.Error?.Code);
        Assert.StartsWith("worker 0 of model 'm' version 1 is down: the restart failed (", down.Error?.Message);

        // End that wait, and only it.
        Assert.False(secondAttempt.IsCompleted);
        _time.Advance(WorkerInstance.FirstRetryDelay);
        await secondAttempt.WaitAsync(Bound);

        await instance.Restarting.WaitAsync(Bound);
        Assert.Equal(3, _workers.Launches);
        Assert.True(instance.Health.IsReady);
    }

    [Fact]
    public async Task A_cancelled_batch_is_cancelled_and_keeps_the_worker()
    {
        await using var instance = await StartAsync();
        using var cancel = new CancellationTokenSource();
        var call = instance.ExecuteAsync(Batch(), cancel.Token).AsTask();
        await _workers.Connections[0].CallArrived.Task.WaitAsync(Bound);

        await cancel.CancelAsync();

        Assert.Equal(ErrorCode.Cancelled, (await call.WaitAsync(Bound)).Error?.Code);
        Assert.True(instance.Health.IsReady);
        Assert.Equal(1, _workers.Launches);
    }

    [Fact]
    public async Task A_disposed_instance_closes_its_worker_and_is_down()
    {
        var instance = await StartAsync();

        await instance.DisposeAsync();

        Assert.True(_workers.Connections[0].IsDisposed);
        Assert.Equal("worker 0 of model 'm' version 1 is down: stopped", instance.Health.Reason);
    }
}
