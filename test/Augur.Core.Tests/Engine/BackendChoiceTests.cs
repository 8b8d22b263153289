using System.Text.Json;
using Augur.Backends;
using Augur.Errors;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

/// <summary>Which backend loads a version (by name, by files, by isolation), its settings section and its instances' health.</summary>
public sealed class BackendChoiceTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _first = new("first-platform", "first");
    private readonly FakeBackend _second = new("second-platform", "second");

    public void Dispose() => _repository.Dispose();

    private Task<InferenceEngine> BuildAsync(params IModelBackend[] extra)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_first).AddBackend(_second);
        foreach (var backend in extra)
        {
            builder.AddBackend(backend);
        }

        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task WithoutABackendName_TheFirstThatLoadsTheFilesIsUsed()
    {
        _repository.AddModel("echo");
        _first.Register("echo", Echo());

        await using var engine = await BuildAsync();

        Assert.Equal("first-platform", engine.Metadata("echo").Platform);
    }

    [Fact]
    public void TwoBackendsOfOneName_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new InferenceEngineBuilder().AddBackend(_first).AddBackend(new FakeBackend("other", "first")));
        Assert.StartsWith("a backend named 'first' is already registered", error.Message);
    }

    [Fact]
    public async Task TheBackendConfigNames_IsUsedOverTheFirstThatLoadsTheFiles()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"backend": "second"}""");
        _second.Register("echo", Echo());

        await using var engine = await BuildAsync();

        Assert.Equal("second-platform", engine.Metadata("echo").Platform);
        Assert.Equal(0, _first.LoadCalls);
        Assert.Equal("second", _second.Model("echo").Context.Backend);
    }

    [Fact]
    public async Task NoBackendLoadsTheFiles_TheReasonSaysWhatEachExpects()
    {
        _repository.AddModel("echo").AddVersionFolder("echo", "2", withModelFile: false).WriteConfig("echo", """{"version_policy": {"specific": {"versions": [2]}}}""");

        await using var engine = await BuildAsync();

        Assert.Equal(
            "no model file that a configured backend loads (expected model.fake for first or model.fake for second)",
            engine.Status("echo").Versions[0].Reason);
    }

    [Fact]
    public async Task TheBackendsSettingsSection_ReachesItsLoadContext()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"backend_settings": {"first": {"threads": 3}, "second": {"other": true}}}""");
        _first.Register("echo", Echo());

        await using var engine = await BuildAsync();

        var settings = _first.Model("echo").Context.Settings;
        Assert.Equal(JsonValueKind.Object, settings.ValueKind);
        Assert.Equal(3, settings.GetProperty("threads").GetInt32());
    }

    [Fact]
    public async Task WithoutASettingsSection_TheContextsSettingsAreUndefined()
    {
        _repository.AddModel("echo");
        _first.Register("echo", Echo());

        await using var engine = await BuildAsync();

        Assert.Equal(JsonValueKind.Undefined, _first.Model("echo").Context.Settings.ValueKind);
    }

    [Theory]
    [InlineData("""{"backend": "tensorrt"}""", "backend 'tensorrt' is not one this server has; known: first, second")]
    [InlineData("""{"backend_settings": {"tensorrt": {}}}""", "backend_settings.tensorrt: no backend is named 'tensorrt'; known: first, second")]
    [InlineData("""{"isolation": "process"}""", "isolation 'process' is not available here; available: none")]
    public async Task AConfigNoBackendServes_MakesTheVersionUnavailable_EvenWhenABackendLoadsTheFiles(string config, string reason)
    {
        _repository.AddModel("echo").WriteConfig("echo", config);
        _first.Register("echo", Echo());

        await using var engine = await BuildAsync();

        Assert.Equal(reason, engine.Status("echo").Versions[0].Reason);
        Assert.Equal(0, _first.LoadCalls);
    }

    [Fact]
    public async Task AnIsolatedModel_IsLoadedByTheIsolatingBackend_ToldWhichBackendRunsIt()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"isolation": "process", "backend": "second", "backend_settings": {"isolated": {"x": 1}}}""");
        var isolating = new IsolatingFake();
        isolating.Inner.Register("echo", Echo());

        await using var engine = await BuildAsync(isolating);

        Assert.Equal("second-platform", engine.Metadata("echo").Platform);
        var context = isolating.Inner.Model("echo").Context;
        Assert.Equal("second", context.Backend);
        Assert.Equal(1, context.Settings.GetProperty("x").GetInt32());
        Assert.Equal(0, _second.LoadCalls);
    }

    [Fact]
    public async Task WhileNoInstanceIsReady_TheModelIsNotReady_AndReadyAgainOnceOneIs()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2}""");
        _first.Register("echo", Echo());
        await using var engine = await BuildAsync();
        var instances = _first.Model("echo").Instances;

        instances[0].Health = InstanceHealth.Down("worker exited; restarting");
        Assert.Null(engine.CheckReady("echo", null));
        instances[1].Health = InstanceHealth.Down("worker exited with signal 9; restarting");

        var error = engine.CheckReady("echo", null);
        Assert.Equal(ErrorCode.Unavailable, error?.Code);
        Assert.Equal("model 'echo' version 1 is not ready: worker exited; restarting", error?.Message);

        instances[1].Health = InstanceHealth.Ready;
        Assert.Null(engine.CheckReady("echo", "1"));
    }

    [Fact]
    public async Task TheSchedulerSkipsAnIdleInstanceThatIsDown()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2, "warmup": {"iterations": 0}}""");
        _first.Register("echo", Echo());
        await using var engine = await BuildAsync();
        var model = _first.Model("echo");

        model.Instances[0].Health = InstanceHealth.Down("restarting");
        for (var i = 0; i < 3; i++)
        {
            await engine.InferOk(EchoRequest());
        }

        Assert.All(model.Calls, call => Assert.Equal(1, call.Instance.Index));
    }

    [Theory]
    [InlineData("""{"backend": 1}""", "config.json: backend must be a string")]
    [InlineData("""{"isolation": "Process"}""", "config.json: isolation 'Process' is not a name (lower-case letters, digits and '_')")]
    [InlineData("""{"backend_settings": {"worker": 5}}""", "config.json: backend_settings.worker must be an object")]
    [InlineData("""{"backend_settings": []}""", "config.json: backend_settings must be an object of sections named by backend")]
    public void BadBackendSettings_AreReported(string json, string expected)
    {
        Assert.False(ModelConfigReader.TryParse(json, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    /// <summary>An isolating backend that loads in-process with a fake, recording what it was told.</summary>
    private sealed class IsolatingFake : IIsolatingBackend
    {
        public FakeBackend Inner { get; } = new("isolated-platform", "isolated-inner");

        public string Isolation => "process";

        public string Name => "isolated";

        public string Platform => Inner.Platform;

        public string ExpectedFiles => Inner.ExpectedFiles;

        public bool CanLoad(string versionDirectory) => false;

        public ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken) => Inner.LoadAsync(context, cancellationToken);
    }
}
