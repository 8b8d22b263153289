using Augur.Core.Tests.Lifecycle;
using Augur.Errors;
using Augur.Models;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// Shutdown: once the engine stops waiting for peers, nothing waits out a max queue delay. The fake clock never moves
/// in these tests, so a request that completes cannot have waited for its delay.
/// </summary>
public sealed class StopWaitingForPeersTests() : SchedulingTestBase(withMetrics: true)
{
    /// <summary>Half an hour of waiting for peers: far longer than the tests' real-time bound.</summary>
    private const string WaitHalfAnHour = """{"max_queue_delay_microseconds": 1800000000}""";

    [Fact]
    public async Task Requests_waiting_for_peers_run_at_once_as_one_batch()
    {
        await using var engine = await StartAsync(WaitHalfAnHour);
        var requests = new[] { "a", "b", "c" }.Select(id => engine.Infer(Request(id))).ToArray();
        Assert.Equal(3, Metrics.Gauge("augur.queue.depth"));
        Assert.All(requests, r => Assert.False(r.IsCompleted));

        engine.StopWaitingForPeers();

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("a,b,c", Batches(Backend.Model("echo")));
        Assert.Equal(["shutdown"], Metrics.Of("augur.batch.size").Select(m => m.Tags["reason"]));
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(TimeSpan.Zero, r.Response!.Timings.Queue));
        Assert.Equal(0, Metrics.Gauge("augur.queue.depth"));
    }

    [Fact]
    public async Task A_request_that_arrives_afterwards_does_not_wait_and_a_second_call_changes_nothing()
    {
        await using var engine = await StartAsync(WaitHalfAnHour);
        engine.StopWaitingForPeers();
        engine.StopWaitingForPeers();

        var late = await engine.Infer(Request("late"));

        Assert.True(late.IsSuccess, late.Error?.ToString());
        Assert.Equal("late", Batches(Backend.Model("echo")));
        Assert.Equal(["shutdown"], Metrics.Of("augur.batch.size").Select(m => m.Tags["reason"]));
    }

    [Fact]
    public async Task A_busy_model_sends_its_whole_queue_when_the_instance_comes_back()
    {
        var held = new HeldModel();
        await using var engine = await StartAsync(WaitHalfAnHour, spec: held.Spec);
        var full = Task.Run(() => engine.Infer(Request("full", rows: 8)));
        var running = await held.NextStartAsync();
        var queued = new[] { "q1", "q2" }.Select(id => engine.Infer(Request(id))).ToArray();

        engine.StopWaitingForPeers();
        Assert.Equal(2, Metrics.Gauge("augur.queue.depth"));
        Assert.All(queued, r => Assert.False(r.IsCompleted));
        held.Release(running);
        var next = await held.NextStartAsync();
        held.Release(next);

        Assert.True((await full).IsSuccess);
        Assert.All(await Task.WhenAll(queued), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("full|q1,q2", Batches(Backend.Model("echo")));
        Assert.Equal(["full", "shutdown"], Metrics.Of("augur.batch.size").Select(m => m.Tags["reason"]));
    }

    [Fact]
    public async Task A_model_loaded_after_shutdown_began_does_not_wait_for_peers_either()
    {
        Repository.AddModel("echo").WriteConfig("echo", Config(WaitHalfAnHour));
        Backend.Register("echo", Echo());
        await using var engine = await ModelControlHarness.BuildAsync(Repository, Backend, ModelControlMode.Explicit, time: Time);
        engine.StopWaitingForPeers();

        Assert.Null(await engine.LoadModelAsync("echo").WaitAsync(TestTimeout));
        var requests = new[] { "a", "b" }.Select(id => engine.Infer(Request(id))).ToArray();

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
    }

    [Fact]
    public async Task After_the_engine_is_disposed_it_does_nothing()
    {
        var engine = await StartAsync(WaitHalfAnHour);
        var queued = engine.Infer(Request("a"));
        await engine.DisposeAsync();

        engine.StopWaitingForPeers();

        Assert.Equal(ErrorCode.Unavailable, (await queued).Error?.Code);
        Assert.Empty(Backend.Model("echo").Calls);
    }
}
