using Augur.Errors;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

/// <summary><see cref="InferenceEngineBuilder.Build"/> then <see cref="InferenceEngine.StartAsync"/>: an engine that exists before its models.</summary>
public sealed class EngineStartupTests : IDisposable
{
    private const string StillLoading = "the engine is still loading its models";
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public EngineStartupTests()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", Echo());
    }

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Before_start_up_the_engine_is_not_ready_and_answers_every_model_unavailable()
    {
        await using var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).Build();

        Assert.False(engine.IsStarted);
        Assert.False(engine.IsReady);
        Assert.Equal(StillLoading, engine.NotReadyReason);
        Assert.Empty(engine.Models);
        Assert.Equal(0, _backend.LoadCalls);
        foreach (var model in new[] { "echo", "nosuch" })
        {
            var error = await engine.InferError(EchoRequest(model));
            Assert.Equal(ErrorCode.Unavailable, error.Code);
            Assert.Equal($"model '{model}' is not ready: {StillLoading}", error.Message);
            Assert.Equal(error, engine.CheckReady(model, null));
        }

        Assert.Equal([new RepositoryIndexEntry("echo", null, ModelState.Unavailable, "loading")], engine.RepositoryIndex());

        await engine.StartAsync().WaitAsync(TestTimeout);

        Assert.True(engine.IsStarted);
        Assert.True(engine.IsReady);
        Assert.Null(engine.NotReadyReason);
        await engine.InferOk(EchoRequest());
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest("nosuch"))).Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync());
    }

    [Fact]
    public async Task A_held_load_keeps_the_engine_unready_until_it_finishes()
    {
        var held = new HeldLoadBackend(_backend);
        await using var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(held).Build();

        var starting = engine.StartAsync();
        await held.LoadBegan.Task.WaitAsync(TestTimeout);

        Assert.False(engine.IsReady);
        Assert.Equal(StillLoading, engine.NotReadyReason);
        Assert.Equal(ErrorCode.Unavailable, (await engine.InferError(EchoRequest())).Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync());

        held.Release();
        await starting.WaitAsync(TestTimeout);

        Assert.True(engine.IsReady);
        await engine.InferOk(EchoRequest());
    }

    [Fact]
    public async Task Disposing_the_engine_during_start_up_cancels_the_load()
    {
        var held = new HeldLoadBackend(_backend);
        var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(held).Build();
        var starting = engine.StartAsync();
        await held.LoadBegan.Task.WaitAsync(TestTimeout);

        await engine.DisposeAsync().AsTask().WaitAsync(TestTimeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.WaitAsync(TestTimeout));
        Assert.Empty(_backend.Loaded);
        Assert.False(engine.IsReady);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.StartAsync());
    }

    [Fact]
    public async Task A_missing_repository_fails_start_up_and_leaves_the_engine_unstarted()
    {
        var missing = Path.Combine(_repository.Path, "no-such-folder");
        await using var engine = new InferenceEngineBuilder().UseModelRepository(missing).AddBackend(_backend).Build();

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => engine.StartAsync());

        Assert.False(engine.IsStarted);
        Assert.Equal(StillLoading, engine.NotReadyReason);
    }
}
