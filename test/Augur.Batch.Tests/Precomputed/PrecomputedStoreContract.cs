using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using Augur.Inference;
using Augur.Models;
using Augur.Precomputed;
using Augur.Tensors;
using static Augur.Batch.Tests.Precomputed.PrecomputedEngine;

namespace Augur.Batch.Tests.Precomputed;

/// <summary>
/// What every real precomputed store does, through <see cref="PrecomputedStores.Open"/> as <c>augur serve</c> opens it,
/// and what the engine makes of it: run against SQLite, PostgreSQL and Redis by the subclasses.
/// </summary>
public abstract class PrecomputedStoreContract
{
    private static readonly TensorSpec[] Y = [new("y", DataType.Fp32, [1, 3])];

    /// <summary>A store with nothing in it yet.</summary>
    protected abstract Task<string> NewSourceAsync();

    /// <summary>A store that cannot be reached.</summary>
    protected abstract Task<string> DownSourceAsync();

    /// <summary>Stores rows the way a job's predictions get there (a job's commits; for Redis, a publish).</summary>
    protected abstract Task FillAsync(string source, params StoredPrediction[] rows);

    /// <summary>A model name of its own, so tests can share a server.</summary>
    protected static string NewModel() => "m" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_lookup_takes_the_newest_of_the_version_asked_for_or_else_the_newest_of_any()
    {
        var (source, model) = (await NewSourceAsync(), NewModel());
        await FillAsync(source,
            Row(model, "k", "1", Start.AddSeconds(10), 1, job: "j1"),
            Row(model, "k", "2", Start, 2, job: "j2"),
            Row(model, "k", "1", Start.AddSeconds(5), 3, job: "j3"),
            Row(model, "other", "2", Start.AddSeconds(20), 4, job: "j2", row: 1));
        await using var store = PrecomputedStores.Open(source);

        var v2 = await FindAsync(store, model, "k", "2");
        var v1 = await FindAsync(store, model, "k", "1");
        var v3 = await FindAsync(store, model, "k", "3");
        var any = await FindAsync(store, model, "k", null);

        Assert.Equal(("2", Start, 2f), (v2!.ModelVersion, v2.CreatedAt, Assert.Single(v2.Outputs).AsSpan<float>()[0]));
        Assert.Equal([1L, 3L], v2.Outputs[0].Shape.ToArray());
        Assert.Equal(("1", Start.AddSeconds(10), 1f), (v1!.ModelVersion, v1.CreatedAt, Assert.Single(v1.Outputs).AsSpan<float>()[0]));
        Assert.Equal(("1", "j1"), (v3!.ModelVersion, v3.JobId));
        Assert.Empty(v3.Outputs); // another version's row is not decoded
        Assert.Equal(("1", 1f), (any!.ModelVersion, Assert.Single(any.Outputs).AsSpan<float>()[0]));
        Assert.Equal("""{"y":[1,1,1]}""", any.OutputsJson);
        Assert.Null(await FindAsync(store, model, "missing", "1"));
        Assert.Null(await FindAsync(store, NewModel(), "k", "1"));
    }

    [Fact]
    public async Task A_prediction_written_back_is_found_with_its_time_and_outputs()
    {
        var (source, model) = (await NewSourceAsync(), NewModel());
        await using var store = PrecomputedStores.Open(source);

        await store.WriteAsync(new PrecomputedWrite(model, "3", "user/ü 7", [InferenceTensor.Create("y", new[] { 0.1f, float.NaN, -2f }, 1, 3)], Start), CancellationToken.None).AsTask().WaitAsync(BatchHarness.Timeout);
        var found = await FindAsync(store, model, "user/ü 7", "3");

        Assert.Equal(("user/ü 7", "3", Start, PredictionStore.OnlineJobId), (found!.Key, found.ModelVersion, found.CreatedAt, found.JobId));
        Assert.Equal([0.1f, float.NaN, -2f], Assert.Single(found.Outputs).ToArray<float>());
        Assert.Equal("""{"y":[0.1,"NaN",-2]}""", found.OutputsJson);
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_throws_the_store_exception()
    {
        await using var store = PrecomputedStores.Open(await DownSourceAsync());

        await Assert.ThrowsAsync<PrecomputedStoreException>(() => FindAsync(store, "m", "k", "1"));
        await Assert.ThrowsAsync<PrecomputedStoreException>(() =>
            store.WriteAsync(new PrecomputedWrite("m", "1", "k", [InferenceTensor.Create("y", new float[3], 1, 3)], Start), CancellationToken.None).AsTask().WaitAsync(BatchHarness.Timeout));
    }

    [Fact]
    public async Task The_engine_answers_a_fresh_prediction_of_the_serving_version_and_runs_the_model_otherwise()
    {
        var (source, model) = (await NewSourceAsync(), NewModel());
        await FillAsync(source,
            Row(model, "fresh", "2", Start, 42, row: 0),
            Row(model, "old-version", "1", Start, 43, row: 1),
            Row(model, "stale", "2", Start.AddSeconds(-61), 44, row: 2));
        await using var serving = await StartAsync(model, source, versions: [1, 2], maxAgeSeconds: 60);

        Assert.Equal((PredictionSources.Precomputed, 42f, "2"), await serving.InferAsync(Request(model, "fresh", 5)));
        Assert.Equal((PredictionSources.Model, 5f, "2"), await serving.InferAsync(Request(model, "old-version", 5)));
        Assert.Equal((PredictionSources.Precomputed, 43f, "1"), await serving.InferAsync(Request(model, "old-version", 5, version: "1")));
        Assert.Equal((PredictionSources.Model, 5f, "2"), await serving.InferAsync(Request(model, "stale", 5)));
        Assert.Equal((PredictionSources.Model, 5f, "2"), await serving.InferAsync(Request(model, "missing", 5)));
        serving.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal((PredictionSources.Model, 5f, "2"), await serving.InferAsync(Request(model, "fresh", 5)));
    }

    [Fact]
    public async Task With_write_back_the_engine_stores_what_the_model_answered_and_answers_the_next_request_with_it()
    {
        var (source, model) = (await NewSourceAsync(), NewModel());
        await using var serving = await StartAsync(model, source, writeBack: true);

        Assert.Equal((PredictionSources.Model, 7f, "1"), await serving.InferAsync(Request(model, "user-7", 7)));
        await serving.NextWriteAsync();
        serving.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal((PredictionSources.Precomputed, 7f, "1"), await serving.InferAsync(Request(model, "user-7", 100)));
        await using var store = PrecomputedStores.Open(source);
        var stored = await FindAsync(store, model, "user-7", "1");
        Assert.Equal((Start, "online"), (stored!.CreatedAt, stored.JobId));
    }

    [Fact]
    public async Task When_the_store_is_down_every_request_still_succeeds_from_the_model()
    {
        var model = NewModel();
        await using var serving = await StartAsync(model, await DownSourceAsync(), writeBack: true);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((PredictionSources.Model, (float)i, "1"), await serving.InferAsync(Request(model, $"user-{i}", i)));
        }
    }

    private static Task<PrecomputedPrediction?> FindAsync(IPrecomputedPredictions store, string model, string key, string? version) =>
        store.FindAsync(new PrecomputedQuery(model, key) { Version = version, Outputs = Y }, CancellationToken.None).AsTask().WaitAsync(BatchHarness.Timeout);
}
