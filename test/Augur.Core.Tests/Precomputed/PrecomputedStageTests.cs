using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Precomputed;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Precomputed.PrecomputedHarness;

namespace Augur.Core.Tests.Precomputed;

/// <summary>
/// The precomputed stage through the engine's own door (in-process): which requests the store answers, which run the
/// model, and what is counted. The store is in memory; the SQL and Redis stores have their own tests in Augur.Batch.Tests.
/// </summary>
public sealed class PrecomputedStageTests
{
    [Fact]
    public async Task A_fresh_prediction_of_the_serving_version_answers_without_running_the_model()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var response = await h.Engine.InferOk(Keyed("user-7"));

        Assert.Equal([42f, 42f, 42f], response["y"].ToArray<float>());
        Assert.Equal([1L, 3L], response["y"].Shape.ToArray());
        Assert.Equal(PredictionSources.Precomputed, response.PredictionSource);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal(0, h.Backend.Model("echo").ExecutionCount);
        Assert.Equal(1, h.Lookups("hit"));
        var query = Assert.Single(h.Store.Queries);
        Assert.Equal(("echo", "user-7", "1"), (query.Model, query.Key, query.Version));
        Assert.Equal("y: FP32 [1,3]", Assert.Single(query.Outputs).ToString());
    }

    [Fact]
    public async Task A_key_the_store_does_not_hold_runs_the_model_and_says_so()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var response = await h.Engine.InferOk(Keyed("user-8", first: 5));

        Assert.Equal([5f, 6f, 7f], response["y"].ToArray<float>());
        Assert.Equal(PredictionSources.Model, response.PredictionSource);
        Assert.Equal(1, h.Backend.Model("echo").ExecutionCount);
        Assert.Equal(1, h.Lookups("miss"));
        Assert.Equal(0, h.Lookups("hit"));
    }

    [Fact]
    public async Task A_request_without_a_key_runs_the_model_without_asking_the_store()
    {
        await using var h = await StartAsync();

        var response = await h.Engine.InferOk(Keyed(null));

        Assert.Equal(PredictionSources.Model, response.PredictionSource);
        Assert.Equal(0, h.Store.Finds);
        Assert.Empty(h.Metrics.Of("augur.precomputed.lookups"));
    }

    [Fact]
    public async Task A_prediction_older_than_max_age_is_stale_and_the_model_runs()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        h.Time.Advance(TimeSpan.FromSeconds(3600));
        var atMaxAge = await h.Engine.InferOk(Keyed("user-7"));
        h.Time.Advance(TimeSpan.FromTicks(1));
        var stale = await h.Engine.InferOk(Keyed("user-7", first: 5));

        Assert.Equal((PredictionSources.Precomputed, 42f), (atMaxAge.PredictionSource, atMaxAge["y"].AsSpan<float>()[0]));
        Assert.Equal((PredictionSources.Model, 5f), (stale.PredictionSource, stale["y"].AsSpan<float>()[0]));
        Assert.Equal((1, 1), (h.Lookups("hit"), h.Lookups("stale")));
        var age = Assert.Single(h.Metrics.Of("augur.precomputed.age"));
        Assert.Equal(3600, age.Value);
        Assert.Equal(("echo", "1"), (age.Tags["model"], age.Tags["version"]));
    }

    [Fact]
    public async Task A_prediction_of_another_version_does_not_answer_for_the_version_serving()
    {
        // Versions 1 and 2 both serve; an unversioned request goes to 2, the newest.
        await using var h = await StartAsync(setUp: (repository, backend) =>
        {
            repository.AddModel("echo", 1, 2).WriteConfig("echo", Config(extra: """, "version_policy": {"all": {}}"""));
            backend.Register("echo", Echo());
        });
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var latest = await h.Engine.InferOk(Keyed("user-7", first: 5));
        var pinned = await h.Engine.InferOk(Keyed("user-7", version: "1"));

        Assert.Equal(("2", PredictionSources.Model, 5f), (latest.ModelVersion, latest.PredictionSource, latest["y"].AsSpan<float>()[0]));
        Assert.Equal(("1", PredictionSources.Precomputed, 42f), (pinned.ModelVersion, pinned.PredictionSource, pinned["y"].AsSpan<float>()[0]));
        Assert.Equal(1, h.Metrics.Of("augur.precomputed.lookups").Count(r => r.Tags["result"] == "version_mismatch" && r.Tags["version"] == "2"));
        Assert.Equal(1, h.Metrics.Of("augur.precomputed.lookups").Count(r => r.Tags["result"] == "hit" && r.Tags["version"] == "1"));
    }

    [Fact]
    public async Task A_request_of_several_rows_runs_the_model()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var response = await h.Engine.InferOk(new InferenceRequest("echo", [InferenceTensor.Create("x", new float[6], 2, 3)]) { PredictionKey = "user-7" });

        Assert.Equal([2L, 3L], response["y"].Shape.ToArray());
        Assert.Equal(PredictionSources.Model, response.PredictionSource);
        Assert.Equal(0, h.Store.Finds);
    }

    [Fact]
    public async Task A_stored_row_answers_only_for_the_outputs_it_holds()
    {
        var signature = new ModelSignature(
            [new TensorSpec("a", DataType.Fp32, [-1, 1]), new TensorSpec("b", DataType.Int64, [-1, 2])],
            [new TensorSpec("score", DataType.Fp32, [-1, 1]), new TensorSpec("ids", DataType.Int64, [-1, 2])]);
        await using var h = await StartAsync(setUp: (repository, backend) =>
        {
            repository.AddModel("two").WriteConfig("two", Config());
            backend.Register("two", FakeModelSpec.Identity(signature.Inputs, ["score", "ids"]));
        });
        h.Store.Add("two", "k", "1", Start, InferenceTensor.Create("score", new[] { 0.5f }, 1, 1));
        InferenceRequest Request(params string[]? outputs) => new("two", [InferenceTensor.Create("a", new[] { 9f }, 1, 1), InferenceTensor.Create("b", new[] { 3L, 4L }, 1, 2)])
        {
            PredictionKey = "k",
            RequestedOutputs = outputs,
        };

        var scoreOnly = await h.Engine.InferOk(Request("score"));
        var both = await h.Engine.InferOk(Request(null));
        var idsOnly = await h.Engine.InferOk(Request("ids"));

        Assert.Equal((PredictionSources.Precomputed, 0.5f), (scoreOnly.PredictionSource, Assert.Single(scoreOnly.Outputs).AsSpan<float>()[0]));
        Assert.Equal(PredictionSources.Model, both.PredictionSource);
        Assert.Equal([9f], both["score"].ToArray<float>());
        Assert.Equal([3L, 4L], both["ids"].ToArray<long>());
        Assert.Equal((PredictionSources.Model, "ids"), (idsOnly.PredictionSource, Assert.Single(idsOnly.Outputs).Name));
        Assert.Equal((1, 2), (h.Lookups("hit", "two"), h.Lookups("incomplete", "two")));
    }

    [Fact]
    public async Task A_stored_row_that_does_not_fit_the_signature_is_not_served()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "wrong-type", "1", Start, InferenceTensor.Create("y", new[] { 1L, 2L, 3L }, 1, 3));
        h.Store.Add("echo", "wrong-shape", "1", Start, InferenceTensor.Create("y", new[] { 1f, 2f }, 1, 2));

        var wrongType = await h.Engine.InferOk(Keyed("wrong-type", first: 5));
        var wrongShape = await h.Engine.InferOk(Keyed("wrong-shape", first: 5));

        Assert.Equal([5f, 6f, 7f], wrongType["y"].ToArray<float>());
        Assert.Equal([5f, 6f, 7f], wrongShape["y"].ToArray<float>());
        Assert.Equal(2, h.Lookups("incomplete"));
    }

    [Fact]
    public async Task With_write_back_the_model_answer_for_a_missed_key_is_stored_and_answers_the_next_request()
    {
        await using var h = await StartAsync(Config("""{"source": "redis://store", "max_age_seconds": 60, "write_back": true}"""));
        h.Store.Add("echo", "stale", "1", Start - TimeSpan.FromSeconds(61), StoredY(1));

        var first = await h.Engine.InferOk(Keyed("user-7", first: 5));
        var written = await h.Store.NextWriteAsync(TestTimeout);
        var second = await h.Engine.InferOk(Keyed("user-7", first: 100));
        await h.Engine.InferOk(Keyed("stale", first: 10));
        var rewritten = await h.Store.NextWriteAsync(TestTimeout);

        Assert.Equal(PredictionSources.Model, first.PredictionSource);
        Assert.Equal(("echo", "1", "user-7", Start), (written.Model, written.ModelVersion, written.Key, written.CreatedAt));
        Assert.Equal([5f, 6f, 7f], Assert.Single(written.Outputs).ToArray<float>());
        Assert.Equal((PredictionSources.Precomputed, 5f), (second.PredictionSource, second["y"].AsSpan<float>()[0]));
        Assert.Equal(("stale", 10f), (rewritten.Key, rewritten.Outputs[0].AsSpan<float>()[0]));
        Assert.Equal(2, h.Backend.Model("echo").ExecutionCount); // user-7 once and stale once; the hit did not run
        Assert.Equal(2, h.Metrics.Of("augur.precomputed.writes").Sum(r => (int)r.Value));
    }

    [Fact]
    public async Task Without_write_back_nothing_is_written()
    {
        await using var h = await StartAsync();

        await h.Engine.InferOk(Keyed("user-7"));
        await h.Engine.DisposeAsync(); // finishes every queued write before the store is disposed

        Assert.False(h.Store.HasWrite);
        Assert.True(h.Store.Disposed.IsCompleted);
    }

    [Fact]
    public async Task A_store_that_fails_costs_no_request_is_asked_again_once_a_second_and_nothing_is_written_back()
    {
        await using var h = await StartAsync(Config("""{"source": "redis://store", "max_age_seconds": 60, "write_back": true}"""));
        h.Store.Add("echo", "user-1", "1", Start, StoredY(42));
        h.Store.Failure = new PrecomputedStoreException("connection refused");

        var results = new List<InferenceResponse>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await h.Engine.InferOk(Keyed($"user-{i}", first: i)));
        }

        var findsWhileFailing = h.Store.Finds;
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var probe = await h.Engine.InferOk(Keyed("user-1", first: 7));
        h.Store.Failure = null;
        var stillWaiting = await h.Engine.InferOk(Keyed("user-1", first: 7));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var recovered = await h.Engine.InferOk(Keyed("user-1", first: 7));
        var afterRecovery = await h.Engine.InferOk(Keyed("user-1", first: 7));

        await h.Engine.DisposeAsync();
        Assert.Equal([0f, 1f, 2f], results.Select(r => r["y"].AsSpan<float>()[0]));
        Assert.All(results, r => Assert.Equal(PredictionSources.Model, r.PredictionSource));
        Assert.Equal(1, findsWhileFailing); // the first request asked; the next two did not wait for a failing store
        Assert.Equal((PredictionSources.Model, PredictionSources.Model), (probe.PredictionSource, stillWaiting.PredictionSource));
        Assert.Equal((PredictionSources.Precomputed, PredictionSources.Precomputed), (recovered.PredictionSource, afterRecovery.PredictionSource));
        Assert.Equal(4, h.Store.Finds);
        Assert.Equal(2, h.Failures("find", "error"));
        Assert.Equal((5, 2), (h.Lookups("failed"), h.Lookups("hit")));
        Assert.False(h.Store.HasWrite);
        Assert.DoesNotContain(h.Metrics.Of("augur.requests"), r => r.Tags["outcome"] != "success");
    }

    [Fact]
    public async Task A_store_that_does_not_answer_within_the_timeout_costs_one_request_the_timeout_and_the_next_ones_nothing()
    {
        await using var h = await StartAsync(Config("""{"source": "redis://store", "max_age_seconds": 60, "timeout_microseconds": 20000}"""));
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));
        var never = new TaskCompletionSource();
        h.Store.Hold = never.Task;

        var request = h.Engine.Infer(Keyed("user-7", first: 5));
        await h.Store.FindStarted.Task.WaitAsync(TestTimeout);
        h.Time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(request.IsCompleted);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await request;
        var next = await h.Engine.InferOk(Keyed("user-7", first: 6));

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal((PredictionSources.Model, 5f), (result.Response.PredictionSource, result.Response["y"].AsSpan<float>()[0]));
        Assert.Equal((PredictionSources.Model, 6f), (next.PredictionSource, next["y"].AsSpan<float>()[0]));
        Assert.Equal(1, h.Store.Finds);
        Assert.Equal(1, h.Failures("find", "timeout"));
        Assert.Equal(2, h.Lookups("failed"));
    }

    [Fact]
    public async Task A_caller_that_gives_up_during_the_lookup_is_cancelled_and_the_store_is_not_blamed()
    {
        await using var h = await StartAsync();
        h.Store.Hold = new TaskCompletionSource().Task;
        using var cancel = new CancellationTokenSource();

        var request = h.Engine.Infer(Keyed("user-7"), cancel.Token);
        await h.Store.FindStarted.Task.WaitAsync(TestTimeout);
        await cancel.CancelAsync();
        var result = await request;

        Assert.Equal(ErrorCode.Cancelled, result.Error?.Code);
        Assert.Empty(h.Metrics.Of("augur.precomputed.store.failures"));
        Assert.Empty(h.Metrics.Of("augur.precomputed.lookups"));
        Assert.Equal(0, h.Backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task A_declared_key_input_gives_the_key_of_requests_without_a_prediction_key()
    {
        var signature = new ModelSignature(
            [new TensorSpec("user_id", DataType.Int64, [-1, 1]), new TensorSpec("name", DataType.Bytes, [-1, 1])],
            [new TensorSpec("id_out", DataType.Int64, [-1, 1]), new TensorSpec("name_out", DataType.Bytes, [-1, 1])]);
        await using var h = await StartAsync(setUp: (repository, backend) =>
        {
            repository.AddModel("by_id").WriteConfig("by_id", Config("""{"source": "redis://store", "max_age_seconds": 60, "key_input": "user_id"}"""));
            repository.AddModel("by_name").WriteConfig("by_name", Config("""{"source": "redis://store", "max_age_seconds": 60, "key_input": "name"}"""));
            backend.Register("by_id", FakeModelSpec.Identity(signature.Inputs, ["id_out", "name_out"]));
            backend.Register("by_name", FakeModelSpec.Identity(signature.Inputs, ["id_out", "name_out"]));
        });
        var stored = new[] { InferenceTensor.Create("id_out", new[] { -1L }, 1, 1), InferenceTensor.CreateStrings("name_out", ["stored"], 1, 1) };
        h.Store.Add("by_id", "42", "1", Start, stored).Add("by_name", "ana", "1", Start, stored).Add("by_id", "explicit", "1", Start, stored);
        InferenceRequest Request(string model, long id, string name, string? key = null) =>
            new(model, [InferenceTensor.Create("user_id", new[] { id }, 1, 1), InferenceTensor.CreateStrings("name", [name], 1, 1)]) { PredictionKey = key };

        var byId = await h.Engine.InferOk(Request("by_id", 42, "x"));
        var byName = await h.Engine.InferOk(Request("by_name", 7, "ana"));
        var unknownId = await h.Engine.InferOk(Request("by_id", 43, "x"));
        var parameterWins = await h.Engine.InferOk(Request("by_id", 43, "x", key: "explicit"));

        Assert.Equal((PredictionSources.Precomputed, "stored"), (byId.PredictionSource, byId["name_out"].ToStrings()[0]));
        Assert.Equal((PredictionSources.Precomputed, -1L), (byName.PredictionSource, byName["id_out"].AsSpan<long>()[0]));
        Assert.Equal((PredictionSources.Model, 43L), (unknownId.PredictionSource, unknownId["id_out"].AsSpan<long>()[0]));
        Assert.Equal(PredictionSources.Precomputed, parameterWins.PredictionSource);
        Assert.Equal(["42", "ana", "43", "explicit"], h.Store.Queries.Select(q => q.Key));
    }

    [Fact]
    public async Task A_model_that_does_not_batch_is_answered_with_its_signature_shape()
    {
        await using var h = await StartAsync(setUp: (repository, backend) =>
        {
            repository.AddModel("fixed").WriteConfig("fixed", """{"max_batch_size": 0, "warmup": {"iterations": 0}, "precomputed": {"source": "redis://store", "max_age_seconds": 60}}""");
            backend.Register("fixed", FakeModelSpec.Identity("x", "y", DataType.Fp32, 2, 2));
        });
        h.Store.Add("fixed", "k", "1", Start, InferenceTensor.Create("y", new[] { 1f, 2f, 3f, 4f }, 2, 2));

        var response = await h.Engine.InferOk(new InferenceRequest("fixed", [InferenceTensor.Create("x", new float[4], 2, 2)]) { PredictionKey = "k" });

        Assert.Equal(PredictionSources.Precomputed, response.PredictionSource);
        Assert.Equal("y: FP32 [2,2]", Assert.Single(h.Store.Queries).Outputs[0].ToString());
        Assert.Equal([1f, 2f, 3f, 4f], response["y"].ToArray<float>());
    }

    [Fact]
    public async Task Invalid_requests_are_refused_before_the_store_is_asked()
    {
        await using var h = await StartAsync();
        h.Store.Add("echo", "user-7", "1", Start, StoredY(42));

        var error = await h.Engine.InferError(new InferenceRequest("echo", [InferenceTensor.Create("x", new float[2], 1, 2)]) { PredictionKey = "user-7" });

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(0, h.Store.Finds);
    }
}
