using Augur.Errors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class TimeoutTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _repository.Dispose();

    [Theory]
    [InlineData("""{"default_timeout_microseconds": 5000}""", null)]
    [InlineData("""{}""", 5000)]
    [InlineData("""{"default_timeout_microseconds": 60000000}""", 5000)]
    public async Task ExpiredRequest_FailsWithDeadlineExceeded_AndNeverRuns(string batching, int? timeoutUs)
    {
        var held = new HeldModel();
        _repository.AddModel("echo").WriteConfig("echo", Config(batching));
        _backend.Register("echo", held.Spec);
        await using var engine = await BuildAsync(_repository, _backend, _time);
        var running = Task.Run(() => engine.Infer(Request("running")));
        await held.NextStartAsync();

        var expiring = engine.Infer(Request("expiring", timeout: timeoutUs is { } us ? Microseconds(us) : null));
        _time.Advance(Microseconds(4999));
        Assert.False(expiring.IsCompleted);
        _time.Advance(Microseconds(1));
        var error = (await expiring).Error!;

        Assert.Equal(ErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal("the request for model 'echo' timed out after waiting 5 ms in the queue; it was not run", error.Message);
        held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.True((await engine.Infer(Request("later"))).IsSuccess);
        Assert.Equal("running|later", Batches(_backend.Model("echo")));
    }

    [Fact]
    public async Task QueuedRequest_DispatchedBeforeItsTimeout_RunsToTheEnd_ThoughItsTimeoutPassesWhileRunning()
    {
        // The second request computes for 10 ms of fake time: its 5 ms timeout expires during its run.
        var held = new HeldModel(EchoSignature, afterRelease: call =>
        {
            if (call.Batch[0].Id == "queued")
            {
                _time.Advance(TimeSpan.FromMilliseconds(10));
            }
        });
        _repository.AddModel("echo").WriteConfig("echo", Config("{}"));
        _backend.Register("echo", held.Spec);
        await using var engine = await BuildAsync(_repository, _backend, _time);
        var running = Task.Run(() => engine.Infer(Request("running")));
        var firstCall = await held.NextStartAsync();
        var queued = engine.Infer(Request("queued", timeout: Microseconds(5000)));

        _time.Advance(Microseconds(4000));
        held.Release(firstCall);
        var secondCall = await held.NextStartAsync();
        held.Release(secondCall);

        Assert.True((await running).IsSuccess);
        var result = await queued;
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(4), result.Response!.Timings.Queue);
        Assert.Equal("running|queued", Batches(_backend.Model("echo")));
    }

    [Fact]
    public async Task RequestOnAnIdleInstance_RunsToTheEnd_ThoughItsTimeoutPassesWhileRunning()
    {
        var held = new HeldModel(EchoSignature, afterRelease: _ => _time.Advance(TimeSpan.FromSeconds(1)));
        _repository.AddModel("echo").WriteConfig("echo", Config("""{"default_timeout_microseconds": 1000}"""));
        _backend.Register("echo", held.Spec);
        await using var engine = await BuildAsync(_repository, _backend, _time);

        var running = Task.Run(() => engine.Infer(Request("running")));
        held.Release(await held.NextStartAsync());

        Assert.True((await running).IsSuccess);
    }

    [Fact]
    public async Task TimeoutShorterThanTheQueueDelay_DispatchesBeforeExpiring_OnAnIdleInstance()
    {
        _repository.AddModel("echo").WriteConfig("echo", Config("""{"max_queue_delay_microseconds": 10000}"""));
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(_repository, _backend, _time);

        var request = engine.Infer(Request("short", timeout: Microseconds(2000)));
        _time.Advance(Microseconds(2000));

        // The instance was idle all along: the batcher must not let the request expire waiting for peers.
        var result = await request;
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("short", Batches(_backend.Model("echo")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task NonPositiveTimeout_IsInvalid(int timeoutUs)
    {
        _repository.AddModel("echo").WriteConfig("echo", Config("{}"));
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(_repository, _backend, _time);

        var error = await engine.InferError(Request("bad", timeout: Microseconds(timeoutUs)));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal($"timeout must be positive, not {timeoutUs} µs", error.Message);
        Assert.Equal(0, _backend.Model("echo").ExecutionCount);
    }
}
