using Augur.Errors;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class PriorityTests : SchedulingTestBase
{
    private readonly HeldModel _held = new();

    /// <summary>Holds the instance with one request, queues the others in order, releases, and returns the batches that ran.</summary>
    private async Task<string> RunBehindABusyInstance(string batching, params (string Id, int Priority)[] queued)
    {
        await using var engine = await StartAsync(batching, maxBatchSize: 2, spec: _held.Spec);
        var running = Task.Run(() => engine.Infer(Request("running")));
        await _held.NextStartAsync();

        var requests = queued.Select(q => engine.Infer(Request(q.Id, priority: q.Priority))).ToArray();
        _held.ReleaseAll();

        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        return Batches(Backend.Model("echo"));
    }

    [Fact]
    public async Task HighPriority_RunsBeforeEarlierLowPriority()
    {
        var batches = await RunBehindABusyInstance("""{"priority_levels": 2}""", ("low0", 2), ("low1", 2), ("low2", 2), ("high", 1));

        Assert.Equal("running|high,low0|low1,low2", batches);
    }

    [Fact]
    public async Task PriorityZero_TakesTheDefaultLevel_TheLowestUnlessConfigured()
    {
        var batches = await RunBehindABusyInstance("""{"priority_levels": 3}""", ("default", 0), ("middle", 2), ("high", 1), ("low", 3));

        Assert.Equal("running|high,middle|default,low", batches);
    }

    [Fact]
    public async Task PriorityZero_TakesTheConfiguredDefaultLevel()
    {
        var batches = await RunBehindABusyInstance("""{"priority_levels": 3, "default_priority_level": 1}""", ("low", 3), ("middle", 2), ("default", 0));

        Assert.Equal("running|default,middle|low", batches);
    }

    [Theory]
    [InlineData(3, "priority 3 is outside 1..2, the priority levels of model 'echo' (0 takes its default, 2)")]
    [InlineData(-1, "priority -1 is outside 1..2, the priority levels of model 'echo' (0 takes its default, 2)")]
    public async Task PriorityOutsideTheLevels_IsInvalid(int priority, string message)
    {
        await using var engine = await StartAsync("""{"priority_levels": 2}""");

        var error = await engine.InferError(Request("bad", priority: priority));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(0, Backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task PriorityTwo_WithOneLevel_IsInvalid_AndOneIsFine()
    {
        await using var engine = await StartAsync("{}");

        var error = await engine.InferError(Request("bad", priority: 2));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal("priority 2 is not available: model 'echo' has one priority level (use 0 or 1)", error.Message);
        Assert.True((await engine.Infer(Request("fine", priority: 1))).IsSuccess);
    }
}
