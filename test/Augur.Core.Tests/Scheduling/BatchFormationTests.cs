using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class BatchFormationTests() : SchedulingTestBase(withMetrics: true)
{
    [Fact]
    public async Task PartialBatch_WaitsExactlyTheMaxQueueDelay_ThenRunsAsOneBatch()
    {
        await using var engine = await StartAsync(WaitOneMs);

        var requests = new[] { "a", "b", "c" }.Select(id => engine.Infer(Request(id))).ToArray();
        Time.Advance(Microseconds(999));
        Assert.Equal(3, Metrics.Gauge("augur.queue.depth"));
        Assert.All(requests, r => Assert.False(r.IsCompleted));
        Time.Advance(Microseconds(1));

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("a,b,c", Batches(Backend.Model("echo")));
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(Microseconds(1000), r.Response!.Timings.Queue));
    }

    [Fact]
    public async Task FullBatch_RunsAtOnce_WithoutWaitingForTheDelay()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000000}""");

        var requests = Enumerable.Range(0, 8).Select(i => engine.Infer(Request($"r{i}"))).ToArray();
        var oneRequestOfEight = engine.Infer(Request("eight", rows: 8));

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.True((await oneRequestOfEight).IsSuccess);
        Assert.Equal("r0,r1,r2,r3,r4,r5,r6,r7|eight", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task PreferredSize_RunsAtOnce_AndTheRestWaitsForTheDelay()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000000, "preferred_batch_size": [4]}""");

        var four = Enumerable.Range(0, 4).Select(i => engine.Infer(Request($"r{i}"))).ToArray();
        Assert.All(await Task.WhenAll(four), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        var fifth = engine.Infer(Request("fifth"));
        Time.Advance(Microseconds(999_999));
        Assert.False(fifth.IsCompleted);
        Assert.Equal(1, Metrics.Gauge("augur.queue.depth"));
        Time.Advance(Microseconds(1));

        Assert.True((await fifth).IsSuccess);
        Assert.Equal("r0,r1,r2,r3|fifth", Batches(Backend.Model("echo")));
        Assert.Equal(["preferred", "delay"], Metrics.Of("augur.batch.size").Select(m => m.Tags["reason"]));
    }

    [Fact]
    public async Task FivePendingRequests_RunAsThePreferredFour_ThenTheFifthAfterTheDelay()
    {
        var held = new HeldModel();
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000000, "preferred_batch_size": [4]}""", spec: held.Spec);
        var blocker = Task.Run(() => engine.Infer(Request("blocker", rows: 8)));
        await held.NextStartAsync();
        var five = Enumerable.Range(0, 5).Select(i => engine.Infer(Request($"r{i}"))).ToArray();

        held.ReleaseAll();
        Assert.All(await Task.WhenAll(five[..4]), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.False(five[4].IsCompleted);
        Time.Advance(Microseconds(1_000_000));

        Assert.True((await five[4]).IsSuccess);
        Assert.True((await blocker).IsSuccess);
        Assert.Equal("blocker|r0,r1,r2,r3|r4", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task A_request_leaving_the_queue_lets_the_rest_form_a_preferred_batch_at_once()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000000, "preferred_batch_size": [2]}""");
        using var cancel = new CancellationTokenSource();

        // 1 + 2 samples: no prefix is a preferred size, so both wait for peers.
        var leaving = engine.Infer(Request("one"), cancel.Token);
        var staying = engine.Infer(Request("two", rows: 2));
        Assert.False(staying.IsCompleted);
        await cancel.CancelAsync();

        Assert.Equal(Augur.Errors.ErrorCode.Cancelled, (await leaving).Error!.Code);
        Assert.True((await staying).IsSuccess);
        Assert.Equal("two", Batches(Backend.Model("echo")));
    }

    [Fact]
    public async Task Limits_CountSamples_NotRequests()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000000, "preferred_batch_size": [4]}""");

        // Two requests of two samples make the preferred 4; three of three would make 9 > 8, so the third waits.
        var preferred = new[] { engine.Infer(Request("p0", rows: 2)), engine.Infer(Request("p1", rows: 2)) };
        Assert.All(await Task.WhenAll(preferred), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        var full = new[] { engine.Infer(Request("f0", rows: 3)), engine.Infer(Request("f1", rows: 3)), engine.Infer(Request("f2", rows: 3)), engine.Infer(Request("f3", rows: 2)) };
        Assert.All(await Task.WhenAll(full[0], full[1], full[3]), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.False(full[2].IsCompleted);
        Time.Advance(Microseconds(1_000_000));

        Assert.True((await full[2]).IsSuccess);
        Assert.Equal("p0,p1|f0,f1,f3|f2", Batches(Backend.Model("echo")));
        Assert.Equal([4.0, 8.0, 3.0], Metrics.Of("augur.batch.size").Select(m => m.Value));
    }
}
