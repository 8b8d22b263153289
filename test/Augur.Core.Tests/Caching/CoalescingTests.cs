using Augur.Core.Tests.Scheduling;
using Augur.Errors;
using Augur.Inference;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Caching;

/// <summary>Identical requests that miss at the same time share one model run.</summary>
public sealed class CoalescingTests
{
    [Fact]
    public async Task Eight_identical_concurrent_misses_run_the_model_once()
    {
        var held = new HeldModel();
        await using var cache = await CacheHarness.StartAsync(held.Spec);

        var leader = cache.Engine.TryInferAsync(EchoRequest("m", id: "r0")).AsTask();
        var run = await held.NextStartAsync();
        // Joining happens before TryInferAsync returns: the seven are waiting for the held run when the gate opens.
        var followers = Enumerable.Range(1, 7).Select(i => cache.Engine.TryInferAsync(EchoRequest("m", id: $"r{i}")).AsTask()).ToArray();
        Assert.All(followers, f => Assert.False(f.IsCompleted));
        Assert.Equal(7, cache.Count("augur.cache.coalesced", ("model", "m")));

        held.Release(run);
        var results = await Task.WhenAll([leader, .. followers]).WaitAsync(TestTimeout);

        Assert.Equal(1, cache.Runs());
        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        var responses = results.Select(r => r.GetResponseOrThrow()).ToArray();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"r{i}"), responses.Select(r => r.Id));
        Assert.All(responses, r => Assert.Equal([0f, 1, 2], r["y"].ToArray<float>()));
        Assert.All(responses, r => Assert.Equal(PredictionSources.Model, r.PredictionSource));
        Assert.Equal(8, cache.Count("augur.cache.misses", ("model", "m")));
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(EchoRequest("m"))).PredictionSource);
    }

    [Fact]
    public async Task A_waiter_that_is_cancelled_leaves_and_the_run_goes_on_for_the_others()
    {
        var held = new HeldModel();
        await using var cache = await CacheHarness.StartAsync(held.Spec);
        var leader = cache.Engine.TryInferAsync(EchoRequest("m")).AsTask();
        var run = await held.NextStartAsync();
        using var leaving = new CancellationTokenSource();
        var waiter = cache.Engine.TryInferAsync(EchoRequest("m"), leaving.Token).AsTask();

        await leaving.CancelAsync();
        var cancelled = await waiter.WaitAsync(TestTimeout);
        held.Release(run);
        var answered = await leader.WaitAsync(TestTimeout);

        Assert.Equal(ErrorCode.Cancelled, cancelled.Error?.Code);
        Assert.True(answered.IsSuccess, answered.Error?.ToString());
        Assert.False(run.CancellationToken.IsCancellationRequested);
        Assert.Equal(1, cache.Runs());
    }

    [Fact]
    public async Task When_the_leader_is_cancelled_a_waiter_runs_the_model_itself()
    {
        var held = new HeldModel();
        await using var cache = await CacheHarness.StartAsync(held.Spec);
        using var leaving = new CancellationTokenSource();
        var leader = cache.Engine.TryInferAsync(EchoRequest("m"), leaving.Token).AsTask();
        var first = await held.NextStartAsync();
        var waiter = cache.Engine.TryInferAsync(EchoRequest("m")).AsTask();

        await leaving.CancelAsync();
        var second = await held.NextStartAsync();
        held.Release(second);

        Assert.Equal(ErrorCode.Cancelled, (await leader.WaitAsync(TestTimeout)).Error?.Code);
        var answered = await waiter.WaitAsync(TestTimeout);
        Assert.True(answered.IsSuccess, answered.Error?.ToString());
        Assert.True(first.CancellationToken.IsCancellationRequested);
        Assert.Equal(2, cache.Runs());
    }
}
