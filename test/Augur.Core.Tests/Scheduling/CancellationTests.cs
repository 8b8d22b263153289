using Augur.Errors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class CancellationTests() : SchedulingTestBase(withMetrics: true)
{
    private readonly HeldModel _held = new();

    [Fact]
    public async Task QueuedRequest_Cancelled_FailsAtOnce_LeavesTheQueue_AndNeverRuns()
    {
        await using var engine = await StartAsync("{}", spec: _held.Spec);
        var running = Task.Run(() => engine.Infer(Request("running")));
        await _held.NextStartAsync();
        using var cts = new CancellationTokenSource();
        var queued = engine.Infer(Request("cancelled"), cts.Token);
        Assert.Equal(1, Metrics.Gauge("augur.queue.depth"));

        cts.Cancel();
        var error = (await queued).Error!;

        Assert.Equal(ErrorCode.Cancelled, error.Code);
        Assert.Equal("the request for model 'echo' was cancelled while queued", error.Message);
        Assert.Equal(0, Metrics.Gauge("augur.queue.depth"));
        _held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.True((await engine.Infer(Request("later"))).IsSuccess);
        Assert.Equal("running|later", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task RunningRequest_Cancelled_CancelsTheBackendCall_AndGivesTheInstanceBack()
    {
        await using var engine = await StartAsync("{}", spec: _held.Spec);
        using var cts = new CancellationTokenSource();
        var running = Task.Run(() => engine.Infer(Request("running"), cts.Token));
        var call = await _held.NextStartAsync();
        Assert.False(call.CancellationToken.IsCancellationRequested);

        cts.Cancel();
        var error = (await running).Error!;

        Assert.True(call.CancellationToken.IsCancellationRequested);
        Assert.Equal(ErrorCode.Cancelled, error.Code);
        Assert.Equal("the request for model 'echo' was cancelled while running", error.Message);
        _held.ReleaseAll();
        Assert.True((await engine.Infer(Request("later"))).IsSuccess);
        Assert.Equal(0, Metrics.Gauge("augur.instance.busy"));
        Assert.Empty(Backend.Model("echo").Violations);
    }

    [Fact]
    public async Task OneRequestOfARunningBatch_Cancelled_DoesNotCancelTheBatch()
    {
        await using var engine = await StartAsync("{}", spec: _held.Spec);
        var (a, b, call) = await RunBatchOfTwo(engine);

        a.Cancel.Cancel();

        Assert.False(call.CancellationToken.IsCancellationRequested);
        Assert.False(a.Result.IsCompleted);
        _held.Release(call);

        // The batch ran for its other request; the cancelled one gets its result too, since it was computed anyway.
        Assert.True((await b.Result).IsSuccess);
        Assert.True((await a.Result).IsSuccess);
    }

    [Fact]
    public async Task EveryRequestOfARunningBatch_Cancelled_CancelsTheBatch_AndGivesTheInstanceBack()
    {
        await using var engine = await StartAsync("{}", spec: _held.Spec);
        var (a, b, call) = await RunBatchOfTwo(engine);

        a.Cancel.Cancel();
        Assert.False(call.CancellationToken.IsCancellationRequested);
        b.Cancel.Cancel();

        Assert.True(call.CancellationToken.IsCancellationRequested);
        foreach (var result in await Task.WhenAll(a.Result, b.Result))
        {
            Assert.Equal(ErrorCode.Cancelled, result.Error!.Code);
            Assert.Equal("the request for model 'echo' was cancelled while running", result.Error.Message);
        }

        _held.ReleaseAll();
        Assert.True((await engine.Infer(Request("later"))).IsSuccess);
        Assert.Equal("blocker|a,b|later", Batches(Backend.Model("echo")));
        Assert.Empty(Backend.Model("echo").Violations);
    }

    private sealed record Caller(CancellationTokenSource Cancel, Task<Augur.Inference.InferenceResult> Result);

    /// <summary>Queues a and b, each with its own token, behind a blocker; returns once a and b run as one batch.</summary>
    private async Task<(Caller A, Caller B, FakeCall Call)> RunBatchOfTwo(InferenceEngine engine)
    {
        var blocker = Task.Run(() => engine.Infer(Request("blocker")));
        var blockerCall = await _held.NextStartAsync();
        Caller Queue(string id)
        {
            var cts = new CancellationTokenSource();
            return new Caller(cts, engine.Infer(Request(id), cts.Token));
        }

        var a = Queue("a");
        var b = Queue("b");
        _held.Release(blockerCall);
        Assert.True((await blocker).IsSuccess);
        var call = await _held.NextStartAsync();
        Assert.Equal(["a", "b"], call.Batch.Select(r => r.Id));
        return (a, b, call);
    }
}
