using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class MetricsTests() : SchedulingTestBase(withMetrics: true)
{
    [Fact]
    public async Task Requests_Batches_QueueTime_AndGauges_AreRecordedPerModelVersion()
    {
        var held = new HeldModel();
        await using var engine = await StartAsync("""{"max_queue_size": 2, "default_timeout_microseconds": 10000}""", spec: held.Spec);

        var running = Task.Run(() => engine.Infer(Request("running")));
        var first = await held.NextStartAsync();
        Assert.Equal((1, 1, 0), (Metrics.Gauge("augur.instances"), Metrics.Gauge("augur.instance.busy"), Metrics.Gauge("augur.queue.depth")));
        var expires = engine.Infer(Request("expires", timeout: Microseconds(1000)));
        var queued = engine.Infer(Request("queued"));
        Assert.False((await engine.Infer(Request("rejected"))).IsSuccess);
        Assert.False((await engine.Infer(Request("invalid", priority: 5))).IsSuccess);
        Assert.Equal(2, Metrics.Gauge("augur.queue.depth"));
        Time.Advance(Microseconds(3000));
        Assert.False((await expires).IsSuccess);
        held.Release(first);
        held.Release(await held.NextStartAsync());
        Assert.True((await running).IsSuccess);
        Assert.True((await queued).IsSuccess);

        var requests = Metrics.Of("augur.requests");
        Assert.All(requests, m => Assert.Equal(("echo", "1", 1.0), (m.Tags["model"], m.Tags["version"], m.Value)));
        Assert.Equal(
            ["deadline_exceeded", "invalid_argument", "resource_exhausted", "success", "success"],
            requests.Select(m => m.Tags["outcome"]).Order());
        var batches = Metrics.Of("augur.batch.size");
        Assert.Equal([(1.0, "immediate"), (1.0, "immediate")], batches.Select(m => (m.Value, m.Tags["reason"])));
        Assert.Equal([0.0, 0.003], Metrics.Of("augur.queue.duration").Select(m => m.Value));
        Assert.Equal((0, 0), (Metrics.Gauge("augur.queue.depth"), Metrics.Gauge("augur.instance.busy")));
        Assert.Equal(8, Metrics.Gauge("augur.batch.limit"));
    }

    [Fact]
    public async Task BatchSizes_CountSamples_WithTheDispatchReason()
    {
        await using var engine = await StartAsync("""{"max_queue_delay_microseconds": 1000, "preferred_batch_size": [4]}""");

        await Task.WhenAll(engine.Infer(Request("full", rows: 8)));
        await Task.WhenAll(engine.Infer(Request("p0", rows: 3)), engine.Infer(Request("p1")));
        var delayed = engine.Infer(Request("delayed", rows: 2));
        Time.Advance(Microseconds(1000));
        await delayed;
        var urgent = engine.Infer(Request("urgent", timeout: Microseconds(500)));
        Time.Advance(Microseconds(500));
        Assert.True((await urgent).IsSuccess);

        var batches = Metrics.Of("augur.batch.size").Select(m => (m.Value, m.Tags["reason"]));
        Assert.Equal([(8.0, "full"), (4.0, "preferred"), (2.0, "delay"), (1.0, "deadline")], batches);
        Assert.Equal([0.0, 0.0, 0.0, 0.001, 0.0005], Metrics.Of("augur.queue.duration").Select(m => m.Value));
    }
}
