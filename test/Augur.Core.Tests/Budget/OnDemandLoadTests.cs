using Augur.Core.Tests.Sequences;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Budget.BudgetHarness;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Budget;

/// <summary>A model's first request loads it: concurrent requests share the load, and each waits within its own timeout.</summary>
public sealed class OnDemandLoadTests : BudgetTestBase
{
    [Fact]
    public async Task Concurrent_first_requests_share_one_load()
    {
        AddModels(ModelBytes, "a");
        var held = new HeldLoadBackend(Backend);
        await using var engine = await BuildAsync(held, 300);

        var requests = Enumerable.Range(0, 8).Select(i => engine.TryInferAsync(EchoRequest("a", id: $"r{i}")).AsTask()).ToArray();
        await held.LoadBegan.Task.WaitAsync(TestTimeout);
        Assert.All(requests, r => Assert.False(r.IsCompleted));
        held.Release();
        var results = await Task.WhenAll(requests).WaitAsync(TestTimeout);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal(1, Backend.LoadCalls);
        Assert.Equal(1d, Metrics.Count("augur.model.loads.on_demand", "a"));
    }

    [Fact]
    public async Task A_request_waiting_for_a_load_times_out_cleanly_and_the_load_goes_on_for_the_next()
    {
        AddModels(ModelBytes, "a");
        Repository.WriteConfig("a", """{"dynamic_batching": {"default_timeout_microseconds": 20000}}""");
        var held = new HeldLoadBackend(Backend);
        await using var engine = await BuildAsync(held, 300);

        var own = engine.TryInferAsync(EchoRequest("a")).AsTask();
        var ownTimeout = engine.TryInferAsync(new InferenceRequest("a", EchoRequest("a").Inputs) { Timeout = TimeSpan.FromMilliseconds(50) }).AsTask();
        using var cancel = new CancellationTokenSource();
        var cancelled = engine.TryInferAsync(new InferenceRequest("a", EchoRequest("a").Inputs) { Timeout = TimeSpan.FromMinutes(10) }, cancel.Token).AsTask();
        await held.LoadBegan.Task.WaitAsync(TestTimeout);

        // The model's default timeout (20 ms) bounds the request that has none of its own.
        Time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(
            new InferenceError(ErrorCode.DeadlineExceeded, "model 'a' did not finish loading within the request's timeout of 20 ms (it loads on its first request under the memory budget); the request was not run, retry it"),
            (await own.WaitAsync(TestTimeout)).Error);
        Assert.False(ownTimeout.IsCompleted);

        Time.Advance(TimeSpan.FromMilliseconds(30));
        var timedOut = (await ownTimeout.WaitAsync(TestTimeout)).Error!;
        Assert.Equal(ErrorCode.DeadlineExceeded, timedOut.Code);
        Assert.Contains("timeout of 50 ms", timedOut.Message, StringComparison.Ordinal);
        Assert.Equal(504, timedOut.Code.ToHttpStatus());

        await cancel.CancelAsync();
        Assert.Equal(new InferenceError(ErrorCode.Cancelled, "the request for model 'a' was cancelled while it waited for the model to load"), (await cancelled.WaitAsync(TestTimeout)).Error);

        held.Release();
        await engine.InferOk(EchoRequest("a"));
        Assert.Equal(1, Backend.LoadCalls);
    }

    [Fact]
    public async Task Steps_of_a_sequence_that_wait_for_the_load_reach_the_model_in_the_order_they_came()
    {
        Repository.AddModel("sum").WriteConfig("sum", SequenceHarness.Config(SequenceHarness.SumState));
        Backend.Register("sum", SequenceHarness.Sum() with { MemoryBytes = ModelBytes });
        var held = new HeldLoadBackend(Backend);
        await using var engine = await BuildAsync(held, 300);

        var steps = Enumerable.Range(1, 10).Select(i => engine.TryInferAsync(SequenceHarness.Step("s", i, start: i == 1)).AsTask()).ToArray();
        await held.LoadBegan.Task.WaitAsync(TestTimeout);
        held.Release();
        var results = await Task.WhenAll(steps).WaitAsync(TestTimeout);

        // A running sum: any step that overtook an earlier one would show it (or fail, before the start).
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (float)(i * (i + 1) / 2)), results.Select(r => r.IsSuccess ? r.Response.Y() : float.NaN));
        Assert.Equal(66f, (await engine.InferOk(SequenceHarness.Step("s", 11, end: true))).Y());
        Assert.Equal(1, Backend.LoadCalls);
    }

    [Fact]
    public async Task A_model_that_fails_to_load_answers_its_reason_and_stays_failed()
    {
        Repository.AddModel("broken");
        Backend.Register("broken", Echo() with { LoadError = "the file is truncated" });
        await using var engine = await BuildAsync(300);

        var error = await engine.InferError(EchoRequest("broken"));
        var again = await engine.InferError(EchoRequest("broken"));

        Assert.Equal(new InferenceError(ErrorCode.Unavailable, "model 'broken' is not ready: version 1: the file is truncated"), error);
        Assert.Equal(error, again);
        Assert.Equal(1, Backend.LoadCalls);
        Assert.Equal(ModelState.Unavailable, engine.Status("broken").State);
    }

    [Fact]
    public async Task A_request_for_a_version_loads_the_model_and_a_version_the_policy_skips_is_not_found()
    {
        AddModels(ModelBytes, "a");
        Repository.AddModel("a", 2);
        await using var engine = await BuildAsync(300);

        Assert.Equal("2", (await engine.InferOk(EchoRequest("a", version: "2"))).ModelVersion);
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("a", version: "1"))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await engine.InferError(EchoRequest("a", version: "x"))).Code);
        Assert.Equal(1, Backend.LoadCalls);
    }

    [Fact]
    public async Task In_explicit_mode_a_load_makes_room_and_an_unloaded_model_does_not_load_on_demand()
    {
        AddModels(ModelBytes, "a", "b");
        await using var engine = await BuildAsync(100, b => b.UseModelControl(ModelControlMode.Explicit, TimeSpan.FromDays(1)).LoadModelsAtStartup("a"));
        Assert.Equal(0, Backend.LoadCalls);
        await engine.Use(Time, "a");

        Assert.Null(await engine.LoadModelAsync("b").WaitAsync(TestTimeout));
        Assert.True(Backend.Model("a").IsDisposed);
        Assert.Equal(ModelState.Ready, engine.Status("b").State);

        Assert.Null(await engine.UnloadModelAsync("b").WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("b"))).Code);
        // a was unloaded by the budget, not by a client: it still loads on its next request.
        await engine.Use(Time, "a");
        Assert.Equal(3, Backend.LoadCalls);
    }

    [Fact]
    public async Task A_poll_publishes_a_new_folder_on_demand_without_loading_it()
    {
        AddModels(ModelBytes, "a");
        await using var engine = await BuildAsync(300, b => b.UseModelControl(ModelControlMode.Poll, TimeSpan.FromDays(1)));
        AddModels(ModelBytes, "b");

        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));

        Assert.Equal(0, Backend.LoadCalls);
        Assert.Equal("not loaded: the memory budget loads it on its first request", engine.Status("b").Reason);
        await engine.Use(Time, "b");
        Assert.Equal(1, Backend.LoadCalls);
    }

    [Fact]
    public async Task A_required_model_that_failed_loads_again_at_the_poll_after_its_folder_changed()
    {
        Repository.AddModel("r").WriteConfig("r", """{"required": true}""");
        Backend.Register("r", Echo() with { MemoryBytes = ModelBytes, LoadError = "the file is truncated" });
        await using var engine = await BuildAsync(300, b => b.UseModelControl(ModelControlMode.Poll, TimeSpan.FromDays(1)));
        Assert.Equal("required model 'r' is not ready: version 1: the file is truncated", engine.NotReadyReason);

        Backend.Register("r", Echo() with { MemoryBytes = ModelBytes });
        File.WriteAllText(Path.Combine(Repository.ModelPath("r"), "1", "weights.bin"), "fixed");
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));

        Assert.True(engine.IsReady, engine.NotReadyReason);
        Assert.Equal(2, Backend.LoadCalls);
    }

    [Fact]
    public void A_budget_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceEngineBuilder().UseMemoryBudget(0));
    }
}
