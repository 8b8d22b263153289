using Augur.Errors;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class TimeoutTests : SchedulingTestBase
{
    [Theory]
    [InlineData("""{"default_timeout_microseconds": 5000}""", null)]
    [InlineData("""{}""", 5000)]
    [InlineData("""{"default_timeout_microseconds": 60000000}""", 5000)]
    public async Task ExpiredRequest_FailsWithDeadlineExceeded_AndNeverRuns(string batching, int? timeoutUs)
    {
        var held = new HeldModel();
        await using var engine = await StartAsync(batching, spec: held.Spec);
        var running = Task.Run(() => engine.Infer(Request("running")));
        await held.NextStartAsync();

        var expiring = engine.Infer(Request("expiring", timeout: timeoutUs is { } us ? Microseconds(us) : null));
        Time.Advance(Microseconds(4999));
        Assert.False(expiring.IsCompleted);
        Time.Advance(Microseconds(1));
        var error = (await expiring).Error!;

        Assert.Equal(ErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal("the request for model 'echo' timed out after waiting 5 ms in the queue; it was not run", error.Message);
        held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.True((await engine.Infer(Request("later"))).IsSuccess);
        Assert.Equal("running|later", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task QueuedRequest_DispatchedBeforeItsTimeout_RunsToTheEnd_ThoughItsTimeoutPassesWhileRunning()
    {
        // The second request computes for 10 ms of fake time: its 5 ms timeout expires during its run.
        var held = new HeldModel(EchoSignature, afterRelease: call =>
        {
            if (call.Batch[0].Id == "queued")
            {
                Time.Advance(TimeSpan.FromMilliseconds(10));
            }
        });
        await using var engine = await StartAsync("{}", spec: held.Spec);
        var running = Task.Run(() => engine.Infer(Request("running")));
        var firstCall = await held.NextStartAsync();
        var queued = engine.Infer(Request("queued", timeout: Microseconds(5000)));

        Time.Advance(Microseconds(4000));
        held.Release(firstCall);
        var secondCall = await held.NextStartAsync();
        held.Release(secondCall);

        Assert.True((await running).IsSuccess);
        var result = await queued;
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(4), result.Response!.Timings.Queue);
        Assert.Equal("running|queued", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task RequestOnAnIdleInstance_RunsToTheEnd_ThoughItsTimeoutPassesWhileRunning()
    {
        var held = new HeldModel(EchoSignature, afterRelease: _ => Time.Advance(TimeSpan.FromSeconds(1)));
        await using var engine = await StartAsync("""{"default_timeout_microseconds": 1000}""", spec: held.Spec);

        var running = Task.Run(() => engine.Infer(Request("running")));
        held.Release(await held.NextStartAsync());

        Assert.True((await running).IsSuccess);
    }

    [Fact]
    public async Task TimeoutShorterThanTheQueueDelay_DispatchesBeforeExpiring_OnAnIdleInstance()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 10000}""");

        var request = engine.Infer(Request("short", timeout: Microseconds(2000)));
        Time.Advance(Microseconds(2000));

        // The instance was idle all along: the batcher must not let the request expire waiting for peers.
        var result = await request;
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("short", Batches(Backend.Model("echo")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task NonPositiveTimeout_IsInvalid(int timeoutUs)
    {
        await using var engine = await StartAsync("{}");

        var error = await engine.InferError(Request("bad", timeout: Microseconds(timeoutUs)));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal($"timeout must be positive, not {timeoutUs} µs", error.Message);
        Assert.Equal(0, Backend.Model("echo").ExecutionCount);
    }
}
