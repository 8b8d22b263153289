using Augur.Errors;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class QueueBoundTests : SchedulingTestBase
{
    [Fact]
    public async Task FullQueue_RejectsExactlyTheRequestsBeyondMaxQueueSize_AtOnce()
    {
        var held = new HeldModel();
        Repository.AddModel("echo").WriteConfig("echo", Config("""{"max_queue_size": 8}"""));
        Backend.Register("echo", held.Spec);
        using var metrics = new MetricsProbe();
        await using var engine = await BuildAsync(Repository, Backend, Time, metrics);

        var running = Task.Run(() => engine.Infer(Request("running")));
        await held.NextStartAsync();
        var queued = Enumerable.Range(0, 10).Select(i => engine.Infer(Request($"q{i}"))).ToArray();

        // The two beyond the bound fail before anything is released; the eight others wait.
        var rejected = await Task.WhenAll(queued[8..]);
        Assert.All(queued[..8], task => Assert.False(task.IsCompleted));
        Assert.Equal(8, metrics.Gauge("augur.queue.depth"));
        foreach (var result in rejected)
        {
            Assert.Equal(ErrorCode.ResourceExhausted, result.Error!.Code);
            Assert.Equal("model 'echo' already has 8 requests queued (its max_queue_size); retry later", result.Error.Message);
        }

        held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(queued[..8]), result => Assert.True(result.IsSuccess, result.Error?.ToString()));

        // One batch for the running request, then the eight queued ones together; each ran exactly once.
        Assert.Equal("running|q0,q1,q2,q3,q4,q5,q6,q7", Batches(Backend.Model("echo")));
        Assert.Equal(0, metrics.Gauge("augur.queue.depth"));
        Assert.Empty(Backend.Model("echo").Violations);
    }

    [Fact]
    public async Task QueueSizeZero_IsUnbounded()
    {
        var held = new HeldModel();
        await using var engine = await StartAsync("""{"max_queue_size": 0}""", maxBatchSize: 64, spec: held.Spec);

        var running = Task.Run(() => engine.Infer(Request("running")));
        await held.NextStartAsync();
        var queued = Enumerable.Range(0, 50).Select(i => engine.Infer(Request($"q{i}"))).ToArray();
        held.ReleaseAll();

        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(queued), result => Assert.True(result.IsSuccess, result.Error?.ToString()));
        Assert.Equal(2, Backend.Model("echo").ExecutionCount);
    }
}
