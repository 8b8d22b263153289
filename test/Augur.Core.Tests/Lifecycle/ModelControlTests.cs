using Augur.Errors;
using Augur.Models;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Lifecycle;

/// <summary>Model control modes, explicit load and unload, polling, and required models.</summary>
public sealed class ModelControlTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public ModelControlTests()
    {
        _backend.Register("a", Echo()).Register("b", Echo());
    }

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Explicit_mode_loads_only_the_startup_models_and_loads_and_unloads_on_request()
    {
        _repository.AddModel("a").AddModel("b");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("a"));

        Assert.Equal(["a"], engine.Models.Select(m => m.Name));
        Assert.Equal([new RepositoryIndexEntry("b", null, ModelState.Unavailable, "unloaded")], engine.Rows("b"));
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("b"))).Code);

        Assert.Null(await engine.LoadModelAsync("b").WaitAsync(TestTimeout));
        Assert.Equal("1", await engine.ServedVersion("b"));
        Assert.Equal([new RepositoryIndexEntry("b", 1, ModelState.Ready, "")], engine.Rows("b"));

        Assert.Null(await engine.UnloadModelAsync("a").WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("a"))).Code);
        Assert.True(_backend.Model("a").IsDisposed);
        Assert.Equal("unloaded", Assert.Single(engine.Rows("a")).Reason);

        // Unloading what is not loaded succeeds, as in Triton.
        Assert.Null(await engine.UnloadModelAsync("a").WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Loading_an_unchanged_model_reuses_its_versions()
    {
        _repository.AddModel("a");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("a"));
        var loads = _backend.LoadCalls;

        Assert.Null(await engine.LoadModelAsync("a").WaitAsync(TestTimeout));

        Assert.Equal(loads, _backend.LoadCalls);
        Assert.False(_backend.Model("a").IsDisposed);
    }

    [Theory]
    [InlineData(ModelControlMode.None, "'none'")]
    [InlineData(ModelControlMode.Poll, "'poll'")]
    public async Task Load_and_unload_are_refused_outside_explicit_mode(ModelControlMode mode, string expected)
    {
        _repository.AddModel("a");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, mode);

        var load = await engine.LoadModelAsync("a").WaitAsync(TestTimeout);
        var unload = await engine.UnloadModelAsync("a").WaitAsync(TestTimeout);

        Assert.Equal(ErrorCode.InvalidArgument, load?.Code);
        Assert.Contains(expected, load!.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidArgument, unload?.Code);
        Assert.Equal("1", await engine.ServedVersion("a"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../a")]
    [InlineData("/etc")]
    [InlineData("a/../../x")]
    [InlineData("a\\..\\x")]
    [InlineData("a\0")]
    [InlineData("%2e%2e")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task Load_refuses_what_is_not_a_model_name_and_reads_nothing(string name)
    {
        _repository.AddModel("a");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync(name).WaitAsync(TestTimeout);

        Assert.Equal(ErrorCode.InvalidArgument, error?.Code);
        Assert.Contains("not a valid model name", error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, _backend.LoadCalls);
    }

    [Fact]
    public async Task Load_of_a_missing_folder_is_not_found()
    {
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("absent").WaitAsync(TestTimeout);

        Assert.Equal(ErrorCode.NotFound, error?.Code);
    }

    [Fact]
    public async Task Poll_loads_new_models_and_versions_reloads_changed_files_and_unloads_removed_models()
    {
        _repository.AddModel("a");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Poll);
        Assert.Equal(0, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));

        _repository.AddModel("a", 2);
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal("2", await engine.ServedVersion("a"));
        Assert.True(_backend.Model("a", 1).IsDisposed);

        var before = _backend.Model("a", 2);
        File.WriteAllText(Path.Combine(_repository.ModelPath("a"), "2", FakeBackend.FileName), "{ \"retrained\": true }");
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.NotSame(before, _backend.Model("a", 2));
        Assert.True(before.IsDisposed);
        Assert.Equal("2", await engine.ServedVersion("a"));

        _repository.AddModel("b");
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal("1", await engine.ServedVersion("b"));

        Directory.Delete(_repository.ModelPath("b"), recursive: true);
        Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("b"))).Code);
        Assert.True(_backend.Model("b").IsDisposed);
        Assert.Empty(engine.Rows("b"));
    }

    [Fact]
    public async Task The_poll_timer_picks_up_a_new_version()
    {
        var time = new FakeTimeProvider();
        _repository.AddModel("a");
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend)
            .UseTimeProvider(time).UseModelControl(ModelControlMode.Poll, TimeSpan.FromSeconds(5)).BuildAsync().WaitAsync(TestTimeout);
        _repository.AddModel("a", 2);

        time.Advance(TimeSpan.FromSeconds(5));
        // The timer's poll holds the control lock from the moment it fires; this returns once that poll is done.
        Assert.Equal(0, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));

        Assert.Equal("2", await engine.ServedVersion("a"));
    }

    [Fact]
    public async Task A_model_marked_required_in_config_json_keeps_the_engine_unready_while_it_fails()
    {
        _repository.AddModel("a").AddModel("b").WriteConfig("b", """{"required": true}""");
        _backend.Register("b", Echo() with { LoadError = "corrupt" });
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Poll);

        Assert.False(engine.IsReady);
        Assert.Contains("required model 'b'", engine.NotReadyReason, StringComparison.Ordinal);
        Assert.Contains("corrupt", engine.NotReadyReason, StringComparison.Ordinal);
        Assert.Equal("1", await engine.ServedVersion("a"));

        _backend.Register("b", Echo());
        File.WriteAllText(Path.Combine(_repository.ModelPath("b"), "1", FakeBackend.FileName), "{ \"repaired\": true }");
        await engine.PollRepositoryAsync().WaitAsync(TestTimeout);

        Assert.True(engine.IsReady);
        Assert.Null(engine.NotReadyReason);
    }

    [Fact]
    public async Task A_model_required_by_the_builder_gates_readiness_until_it_is_loaded()
    {
        _repository.AddModel("a");
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.RequireModels("a"));

        Assert.False(engine.IsReady);
        Assert.Equal("required model 'a' is not loaded", engine.NotReadyReason);

        Assert.Null(await engine.LoadModelAsync("a").WaitAsync(TestTimeout));
        Assert.True(engine.IsReady);
    }

    [Fact]
    public async Task A_bad_model_at_startup_is_unavailable_with_its_reason_while_the_others_serve()
    {
        _repository.AddModel("a").AddModel("b");
        _backend.Register("b", Echo() with { LoadError = "bad protobuf" });
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.None);

        Assert.True(engine.IsReady);
        Assert.Equal("1", await engine.ServedVersion("a"));
        var row = Assert.Single(engine.Rows("b"));
        Assert.Equal(ModelState.Unavailable, row.State);
        Assert.Contains("bad protobuf", row.Reason, StringComparison.Ordinal);
    }
}
