using Augur.Errors;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Budget.BudgetHarness;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Budget;

/// <summary>Under a memory budget the least recently used idle models are unloaded to make room; busy ones never are.</summary>
public sealed class EvictionTests : BudgetTestBase
{
    [Fact]
    public async Task Start_up_loads_nothing_and_every_model_says_it_loads_on_its_first_request()
    {
        AddModels(ModelBytes, "a", "b");
        await using var engine = await BuildAsync(300);

        Assert.Equal(0, Backend.LoadCalls);
        Assert.True(engine.IsReady, engine.NotReadyReason);
        Assert.Equal(300, engine.MemoryBudget);
        var status = engine.Status("a");
        Assert.Equal((ModelState.Unavailable, "not loaded: the memory budget loads it on its first request"), (status.State, status.Reason));
        Assert.Equal(new RepositoryIndexEntry("a", null, ModelState.Unavailable, "not loaded: the memory budget loads it on its first request"), Assert.Single(engine.RepositoryIndex(), r => r.Name == "a"));
        // Readiness says not ready until loaded; a door's pre-check lets the request through, so it loads the model.
        Assert.Equal(new InferenceError(ErrorCode.Unavailable, "model 'a' is not ready: not loaded: the memory budget loads it on its first request"), engine.CheckReady("a", null));
        Assert.Null(engine.CheckCanInfer("a", null));
        Assert.Equal(ErrorCode.NotFound, engine.CheckCanInfer("nope", null)!.Code);
        Assert.Equal(0d, Metrics.Observe("augur.memory.used"));
        Assert.Equal(300d, Metrics.Observe("augur.memory.budget"));

        await engine.Use(Time, "a");

        Assert.Equal(1, Backend.LoadCalls);
        Assert.Null(engine.CheckReady("a", null));
        Assert.Equal(ModelState.Ready, engine.Status("a").State);
        Assert.Equal(ModelState.Unavailable, engine.Status("b").State);
        Assert.Equal(1d, Metrics.Count("augur.model.loads.on_demand", "a"));
        Assert.Equal(100d, Metrics.Observe("augur.memory.used"));
    }

    [Fact]
    public async Task A_fourth_model_unloads_the_least_recently_used_and_an_unloaded_model_loads_again_on_its_next_request()
    {
        AddModels(ModelBytes, "a", "b", "c", "d");
        await using var engine = await BuildAsync(300);
        await engine.Use(Time, "a");
        await engine.Use(Time, "b");
        await engine.Use(Time, "c");
        await engine.Use(Time, "a"); // b is now the least recently used

        await engine.Use(Time, "d");

        Assert.True(Backend.Model("b").IsDisposed);
        Assert.All(new[] { "a", "c", "d" }, m => Assert.False(Backend.Model(m).IsDisposed, m));
        Assert.Equal((ModelState.Unavailable, "unloaded to stay within the memory budget: it loads again on its next request"), (engine.Status("b").State, engine.Status("b").Reason));
        Assert.Equal(1d, Metrics.Count("augur.model.evictions", "b"));
        Assert.Equal(300d, Metrics.Observe("augur.memory.used"));

        // b comes back on its next request, and c (now the least recently used) makes room for it.
        var first = Backend.Model("b");
        await engine.Use(Time, "b");

        Assert.Equal(5, Backend.LoadCalls);
        Assert.NotSame(first, Backend.Model("b"));
        Assert.False(Backend.Model("b").IsDisposed);
        Assert.True(Backend.Model("c").IsDisposed);
        Assert.Equal(2d, Metrics.Count("augur.model.loads.on_demand", "b"));
        Assert.Equal(0, engine.RetiringVersions);
    }

    [Fact]
    public async Task A_model_with_a_request_in_flight_is_never_unloaded_the_next_least_recently_used_is()
    {
        var gate = new Gate();
        Repository.AddModel("a");
        Backend.Register("a", Gated(gate));
        AddModels(ModelBytes, "b", "c", "d");
        await using var engine = await BuildAsync(300);
        await engine.Use(Time, "a"); // a is the least recently used...
        await engine.Use(Time, "b");
        await engine.Use(Time, "c");
        var held = Task.Run(() => engine.Infer(EchoRequest("a", id: "held")));
        await gate.Entered.Task.WaitAsync(TestTimeout); // ...but has a request in flight.

        await engine.Use(Time, "d");

        Assert.False(Backend.Model("a").IsDisposed);
        Assert.True(Backend.Model("b").IsDisposed);
        gate.Open.TrySetResult();
        Assert.True((await held).IsSuccess);
        Assert.Equal(0d, Metrics.Count("augur.model.evictions", "a"));
    }

    [Fact]
    public async Task When_every_other_model_is_in_use_the_load_fails_naming_them_and_nothing_is_unloaded()
    {
        var (gateA, gateB) = (new Gate(), new Gate());
        Repository.AddModel("a").AddModel("b");
        Backend.Register("a", Gated(gateA)).Register("b", Gated(gateB));
        AddModels(ModelBytes, "c");
        await using var engine = await BuildAsync(200);
        await engine.Use(Time, "a");
        await engine.Use(Time, "b");
        var heldA = Task.Run(() => engine.Infer(EchoRequest("a", id: "held")));
        var heldB = Task.Run(() => engine.Infer(EchoRequest("b", id: "held")));
        await Task.WhenAll(gateA.Entered.Task, gateB.Entered.Task).WaitAsync(TestTimeout);

        var error = await engine.InferError(EchoRequest("c"));

        // c was never loaded: its estimate is its folder, the 2-byte model.fake.
        const string Expected = "memory budget of 200 bytes exceeded: model 'c' needs about 2 bytes and 200 bytes are held by models that cannot be unloaded now; "
            + "models in use: a 100 bytes (1 request in flight), b 100 bytes (1 request in flight); retry when they are idle, or raise the memory budget";
        Assert.Equal(new InferenceError(ErrorCode.ResourceExhausted, Expected), error);
        Assert.Equal(503, error.Code.ToHttpStatus());
        Assert.False(Backend.Model("a").IsDisposed);
        Assert.False(Backend.Model("b").IsDisposed);
        Assert.Equal(2, Backend.LoadCalls);
        Assert.Equal($"not loaded, its last load was refused: {Expected}; it loads on its next request", engine.Status("c").Reason);
        Assert.Equal(1d, Metrics.Count("augur.model.loads.refused", "c"));

        // Once a is idle again it is the one to go.
        gateA.Open.TrySetResult();
        Assert.True((await heldA).IsSuccess);
        await engine.Use(Time, "c");
        Assert.True(Backend.Model("a").IsDisposed);
        gateB.Open.TrySetResult();
        Assert.True((await heldB).IsSuccess);
    }

    [Fact]
    public async Task A_model_larger_than_the_whole_budget_is_refused_without_unloading_anything()
    {
        AddModels(ModelBytes, "a");
        AddModels(5000, "huge");
        // What huge held before is not known yet: its estimate is its folder's size, so make that large too.
        File.WriteAllBytes(Path.Combine(Repository.ModelPath("huge"), "1", "weights.bin"), new byte[2048]);
        await using var engine = await BuildAsync(1024);
        await engine.Use(Time, "a");

        var error = await engine.InferError(EchoRequest("huge"));

        Assert.Equal(new InferenceError(ErrorCode.ResourceExhausted, "model 'huge' needs about 2 KiB, more than the whole memory budget of 1 KiB; raise the memory budget to serve it"), error);
        Assert.False(Backend.Model("a").IsDisposed);
        Assert.Equal(1, Backend.LoadCalls);
    }

    [Fact]
    public async Task A_model_that_reports_more_than_its_files_makes_the_least_recently_used_go_after_its_load()
    {
        AddModels(ModelBytes, "a", "b");
        // c's estimate is its folder (a couple of bytes); loaded, it reports 250.
        AddModels(250, "c");
        await using var engine = await BuildAsync(300);
        await engine.Use(Time, "a");
        await engine.Use(Time, "b");

        await engine.Use(Time, "c");

        Assert.True(Backend.Model("a").IsDisposed);
        Assert.True(Backend.Model("b").IsDisposed);
        Assert.Equal(250d, Metrics.Observe("augur.memory.used"));

        // c holds less now; bringing a and b back unloads c, by then the least recently used.
        Backend.Model("c").MemoryBytes = 150;
        await engine.Use(Time, "a");
        await engine.Use(Time, "b");
        Assert.True(Backend.Model("c").IsDisposed);
    }

    [Fact]
    public async Task A_model_that_does_not_report_its_memory_counts_its_version_folder()
    {
        Repository.AddModel("plain");
        Backend.Register("plain", Echo());
        File.WriteAllBytes(Path.Combine(Repository.ModelPath("plain"), "1", "weights.bin"), new byte[1000]);
        var marker = new FileInfo(Path.Combine(Repository.ModelPath("plain"), "1", FakeBackend.FileName)).Length;
        await using var engine = await BuildAsync(10_000);

        await engine.Use(Time, "plain");

        Assert.Equal(1000d + marker, Metrics.Observe("augur.memory.used"));
    }

    [Fact]
    public async Task A_required_model_loads_at_start_up_and_is_never_unloaded()
    {
        AddModels(ModelBytes, "a", "b", "c");
        await using var engine = await BuildAsync(200, b => b.RequireModels("a"));

        Assert.Equal(1, Backend.LoadCalls);
        Assert.True(engine.IsReady, engine.NotReadyReason);
        Assert.Equal(ModelState.Ready, engine.Status("a").State);
        await engine.Use(Time, "b");
        await engine.Use(Time, "c");

        Assert.False(Backend.Model("a").IsDisposed);
        Assert.True(Backend.Model("b").IsDisposed);
    }
}
