using Augur.Inference;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Caching;

/// <summary>A version swap never serves the old version's answer, and the old version's entries go with it.</summary>
public sealed class VersionSwapCacheTests
{
    [Fact]
    public async Task A_new_version_runs_the_model_and_the_retired_versions_entries_are_dropped()
    {
        await using var cache = await CacheHarness.StartAsync(Echo(), mode: ModelControlMode.Explicit);
        Assert.Equal(PredictionSources.Model, (await cache.Engine.InferOk(EchoRequest("m"))).PredictionSource);
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(EchoRequest("m"))).PredictionSource);

        cache.Repository.AddModel("m", 2);
        Assert.Null(await cache.Engine.LoadModelAsync("m").WaitAsync(TestTimeout));
        var after = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal("2", after.ModelVersion);
        Assert.Equal(PredictionSources.Model, after.PredictionSource);
        Assert.Equal(1, cache.Runs(version: 2));
        Assert.Equal(0, cache.Engine.RetiringVersions);
        Assert.Equal(1, cache.Count("augur.cache.evictions", ("version", "1"), ("reason", "unloaded")));
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(EchoRequest("m"))).PredictionSource);
    }

    [Fact]
    public async Task A_reload_of_changed_files_under_the_same_version_number_runs_the_model_again()
    {
        await using var cache = await CacheHarness.StartAsync(Echo(), mode: ModelControlMode.Poll);
        await cache.Engine.InferOk(EchoRequest("m"));
        var firstLoad = cache.Backend.Model("m");

        // Another length: the version's fingerprint changes whatever the clock's resolution.
        await File.WriteAllTextAsync(Path.Combine(cache.Repository.ModelPath("m"), "1", FakeBackend.FileName), "{\"changed\": true}");
        Assert.Equal(1, await cache.Engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        var reloaded = cache.Backend.Model("m");
        var after = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.NotSame(firstLoad, reloaded);
        Assert.Equal("1", after.ModelVersion);
        Assert.Equal(PredictionSources.Model, after.PredictionSource);
        Assert.Single(reloaded.Calls);
        Assert.Single(firstLoad.Calls);
    }

    [Fact]
    public async Task Two_versions_served_together_keep_separate_entries()
    {
        var config = """{"max_batch_size": 8, "warmup": {"iterations": 0}, "version_policy": {"all": {}}, "response_cache": {"enable": true}}""";
        await using var cache = await CacheHarness.StartAsync(Echo(), config: config, versions: [1, 2]);

        var one = await cache.Engine.InferOk(EchoRequest("m", version: "1"));
        var two = await cache.Engine.InferOk(EchoRequest("m", version: "2"));
        var oneAgain = await cache.Engine.InferOk(EchoRequest("m", version: "1"));

        Assert.Equal(PredictionSources.Model, one.PredictionSource);
        Assert.Equal(PredictionSources.Model, two.PredictionSource);
        Assert.Equal(PredictionSources.Cache, oneAgain.PredictionSource);
        Assert.Equal("1", oneAgain.ModelVersion);
    }
}
