using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Precomputed.PrecomputedHarness;

namespace Augur.Core.Tests.Precomputed;

/// <summary>How versions get their precomputed stage: sources resolved once and shared, settings checked at load.</summary>
public sealed class PrecomputedLoadingTests
{
    [Fact]
    public async Task Each_source_is_resolved_once_shared_by_models_and_versions_and_disposed_with_the_engine()
    {
        await using var h = await StartAsync(setUp: (repository, backend) =>
        {
            var local = Config("""{"source": "predictions.db", "max_age_seconds": 60}""", """, "version_policy": {"all": {}}""");
            repository.AddModel("a", 1, 2).WriteConfig("a", local);
            repository.AddModel("b").WriteConfig("b", Config("""{"source": "../shared/predictions.db", "max_age_seconds": 60}"""));
            repository.AddModel("c").WriteConfig("c", Config("""{"source": "postgres://augur:secret@db/predictions", "max_age_seconds": 60}"""));
            repository.AddModel("d").WriteConfig("d", Config("""{"source": "../c/../shared/predictions.db", "max_age_seconds": 60}"""));
            foreach (var model in "abcd")
            {
                backend.Register(model.ToString(), Echo());
            }
        });

        Assert.All(h.Engine.Models, m => Assert.Equal(ModelState.Ready, m.State));
        Assert.Equal(
            [Path.Combine(h.Repository.ModelPath("a"), "predictions.db"), Path.Combine(h.Repository.Path, "shared", "predictions.db"), "postgres://augur:secret@db/predictions"],
            h.Resolved);
        Assert.False(h.Store.Disposed.IsCompleted);

        await h.Engine.DisposeAsync();
        Assert.True(h.Store.Disposed.IsCompleted);
    }

    [Theory]
    [InlineData("""{"source": "redis://store", "max_age_seconds": 60, "key_input": "nope"}""", "precomputed.key_input 'nope' is not an input of the model; its inputs are: x")]
    [InlineData("""{"source": "redis://store", "max_age_seconds": 60, "key_input": "x"}""", "precomputed.key_input 'x' is FP32; a key input must be BYTES or INT64")]
    [InlineData("""{"source": "redis://:hunter2@store:6379", "max_age_seconds": 60}""", "precomputed.source 'redis://:***@store:6379': unsupported")]
    public async Task A_precomputed_setting_the_version_cannot_use_fails_its_load_naming_the_setting(string precomputed, string reason)
    {
        var repository = new TempRepository().AddModel("echo").WriteConfig("echo", Config(precomputed));
        using var _ = repository;
        var backend = new FakeBackend().Register("echo", Echo());
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend)
            .UsePrecomputedPredictions(source => source.Contains("hunter2", StringComparison.Ordinal) ? throw new ArgumentException("unsupported") : new FakePrecomputedStore())
            .BuildAsync().WaitAsync(TestTimeout);

        var status = engine.Status("echo");

        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal(reason, Assert.Single(status.Versions).Reason);
    }

    [Fact]
    public async Task Without_a_resolver_a_declared_source_is_not_used_and_every_request_runs_the_model()
    {
        await using var h = await StartAsync(resolver: false);
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var response = await h.Engine.InferOk(Keyed("user-7", first: 5));

        Assert.Equal([5f, 6f, 7f], response["y"].ToArray<float>());
        Assert.Null(response.PredictionSource);
        Assert.Empty(h.Resolved);
    }

    [Fact]
    public void The_builder_refuses_a_null_resolver() =>
        Assert.Throws<ArgumentNullException>(() => new InferenceEngineBuilder().UsePrecomputedPredictions(null!));
}
