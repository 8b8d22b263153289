using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>What never shares a batch: requests of different shapes, of different versions, or of a model that does not batch.</summary>
public sealed class BatchIsolationTests : SchedulingTestBase
{
    [Fact]
    public async Task DifferentNonBatchDimensions_NeverShareABatch_AndAllRun()
    {
        await using var engine = await StartAsync(WaitOneMs, spec: FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, -1));

        var requests = new[]
        {
            engine.Infer(Request("narrow0", width: 3)),
            engine.Infer(Request("wide0", width: 5)),
            engine.Infer(Request("narrow1", width: 3)),
            engine.Infer(Request("wide1", width: 5)),
        };
        Time.Advance(Microseconds(1000));

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("narrow0,narrow1|wide0,wide1", Batches(Backend.Model("echo")));
        var wide = (await requests[3]).Response!;
        Assert.Equal([1L, 5L], wide.Outputs[0].Shape.ToArray());
    }

    [Fact]
    public async Task TwoVersions_NeverShareABatch()
    {
        Repository.AddModel("echo", 1, 2).WriteConfig("echo", Config(WaitOneMs, extra: """, "version_policy": {"all": {}}"""));
        Backend.Register("echo", Echo());
        await using var engine = await BuildAsync(Repository, Backend, Time);

        var requests = Enumerable.Range(0, 8).Select(i => engine.Infer(Request($"r{i}", version: i % 2 == 0 ? "1" : "2"))).ToArray();
        Time.Advance(Microseconds(1000));

        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("r0,r2,r4,r6", Batches(Backend.Model("echo", 1)));
        Assert.Equal("r1,r3,r5,r7", Batches(Backend.Model("echo", 2)));
        var calls = Backend.Model("echo", 1).Calls.Concat(Backend.Model("echo", 2).Calls);
        Assert.All(calls, call => Assert.All(call.Batch, r => Assert.Equal(call.Model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), r.ModelVersion)));
    }

    [Fact]
    public async Task DisabledBatching_RunsEveryRequestAlone()
    {
        var held = new HeldModel();
        await using var engine = await StartAsync("false", spec: held.Spec);

        var running = Task.Run(() => engine.Infer(Request("running")));
        await held.NextStartAsync();
        var queued = Enumerable.Range(0, 4).Select(i => engine.Infer(Request($"q{i}"))).ToArray();
        held.ReleaseAll();

        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(queued), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal("running|q0|q1|q2|q3", Batches(Backend.Model("echo")));
    }
}
