using Augur.Caching;
using Augur.Inference;
using Augur.Tensors;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Caching;

/// <summary>The distributed level: replicas share answers through it, and it never fails or holds up a request.</summary>
public sealed class DistributedLevelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(37);

    private static InferenceRequest Request(float value) => new("m", [InferenceTensor.Create("x", new[] { value, 0, 0 }, 1, 3)]);

    [Fact]
    public async Task A_second_engine_sharing_the_distributed_cache_is_answered_from_the_first_engines_entry()
    {
        var shared = new DictionaryDistributedCache();
        await using var first = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { Distributed = shared });
        await using var second = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { Distributed = shared }, shared: first.Repository);

        await first.Engine.InferOk(Request(5));
        var key = await shared.NextWriteAsync();
        var fromShared = await second.Engine.InferOk(Request(5));
        var fromMemory = await second.Engine.InferOk(Request(5));

        Assert.StartsWith("augur:response:m:1:", key, StringComparison.Ordinal);
        Assert.Equal(PredictionSources.Cache, fromShared.PredictionSource);
        Assert.Equal([5f, 0, 0], fromShared["y"].ToArray<float>());
        Assert.Equal(PredictionSources.Cache, fromMemory.PredictionSource);
        Assert.Empty(second.Backend.Model("m").Calls);
        Assert.Equal(1, second.Count("augur.cache.hits", ("level", "distributed")));
        Assert.Equal(1, second.Count("augur.cache.hits", ("level", "memory")));
    }

    [Fact]
    public async Task A_distributed_cache_that_never_answers_costs_one_bounded_wait_then_is_skipped_until_the_retry_delay_passes()
    {
        var clock = new TimerWatchingClock(Timeout);
        var stalled = new BrokenDistributedCache(throws: false);
        // Nothing is small enough to keep, so no background write races the reads this test times.
        var options = new ResponseCacheOptions { Distributed = stalled, DistributedTimeout = Timeout, DistributedRetryDelay = TimeSpan.FromSeconds(5), MaxEntryBytes = 1 };
        await using var cache = await CacheHarness.StartAsync(Echo(), options, time: clock);

        var waiting = cache.Engine.TryInferAsync(Request(1)).AsTask();
        await clock.NextTimerAsync();
        Assert.False(waiting.IsCompleted);
        clock.Advance(Timeout);
        var served = await waiting.WaitAsync(TestTimeout);

        Assert.True(served.IsSuccess, served.Error?.ToString());
        Assert.Equal(PredictionSources.Model, served.Response.PredictionSource);
        Assert.Equal(1, cache.Count("augur.cache.distributed.failures", ("operation", "get"), ("reason", "timeout")));

        // Within the retry delay the distributed cache is not called at all: the request needs no clock to finish.
        var calls = stalled.Calls;
        var skipped = cache.Engine.TryInferAsync(Request(2));
        Assert.True(skipped.IsCompletedSuccessfully);
        Assert.True((await skipped).IsSuccess);
        Assert.Equal(calls, stalled.Calls);
        Assert.True(cache.Count("augur.cache.distributed.failures", ("operation", "get"), ("reason", "skipped")) >= 1);

        clock.Advance(TimeSpan.FromSeconds(5));
        var retried = cache.Engine.TryInferAsync(Request(3)).AsTask();
        await clock.NextTimerAsync();
        Assert.True(stalled.Calls > calls);
        clock.Advance(Timeout);
        Assert.True((await retried.WaitAsync(TestTimeout)).IsSuccess);
        Assert.Equal(2, cache.Count("augur.cache.distributed.failures", ("operation", "get"), ("reason", "timeout")));
    }

    [Fact]
    public async Task A_distributed_cache_that_throws_fails_no_request_and_counts_each_failure()
    {
        var broken = new BrokenDistributedCache(throws: true);
        await using var cache = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { Distributed = broken, DistributedRetryDelay = TimeSpan.Zero });

        var results = new List<InferenceResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await cache.Engine.Infer(Request(i)));
        }

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal(5, cache.Count("augur.cache.distributed.failures", ("operation", "get"), ("reason", "error")));
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(Request(0))).PredictionSource);
    }

    [Fact]
    public async Task An_unusable_distributed_entry_is_a_counted_miss_and_the_models_answer_replaces_it()
    {
        var shared = new DictionaryDistributedCache();
        await using var writer = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { Distributed = shared });
        await writer.Engine.InferOk(Request(7));
        var key = await shared.NextWriteAsync();
        var good = shared.Entries[key];
        shared.Entries[key] = [.. good, 0];

        await using var reader = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { Distributed = shared }, shared: writer.Repository);
        var answered = await reader.Engine.InferOk(Request(7));

        Assert.Equal(PredictionSources.Model, answered.PredictionSource);
        Assert.Equal([7f, 0, 0], answered["y"].ToArray<float>());
        Assert.Equal(1, reader.Count("augur.cache.distributed.failures", ("operation", "get"), ("reason", "invalid")));
        Assert.Equal(key, await shared.NextWriteAsync());
        Assert.Equal(good, shared.Entries[key]);
    }
}
