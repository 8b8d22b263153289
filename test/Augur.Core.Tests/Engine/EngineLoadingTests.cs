using Augur.Errors;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineLoadingTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task BatchableSignature_DerivesMaxBatchSize64()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var metadata = engine.Metadata("echo");
        Assert.Equal("echo", metadata.Name);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal("fake", metadata.Platform);
        Assert.Equal(64, metadata.MaxBatchSize);
        Assert.Equal("x: FP32 [-1,3]", Shapes(metadata.Signature.Inputs));
        Assert.Equal("y: FP32 [-1,3]", Shapes(metadata.Signature.Outputs));

        var status = engine.Status("echo");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Null(status.Reason);
        Assert.Equal([new ModelVersionStatus(1, ModelState.Ready, null)], status.Versions);
        Assert.Null(engine.CheckReady("echo", null));
        Assert.Null(engine.CheckReady("echo", "1"));
        Assert.True(engine.IsReady);
        Assert.Equal(_repository.Path, engine.Repository);
    }

    [Fact]
    public async Task FixedFirstDimension_DoesNotBatch()
    {
        _repository.AddModel("fixed");
        _backend.Register("fixed", FakeModelSpec.Identity("x", "y", DataType.Int32, 2, 2));

        await using var engine = await BuildAsync(_repository, _backend);

        var metadata = engine.Metadata("fixed");
        Assert.Equal(0, metadata.MaxBatchSize);
        Assert.Equal("x: INT32 [2,2]", Shapes(metadata.Signature.Inputs));
        var response = await engine.InferOk(new("fixed", [InferenceTensor.Create("x", new[] { 1, 2, 3, 4 }, 2, 2)]));
        Assert.Equal([1, 2, 3, 4], response["y"].ToArray<int>());
    }

    [Fact]
    public async Task ConfigMaxBatchSize_OverridesTheDerivedOne()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"max_batch_size": 8}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(8, engine.Metadata("echo").MaxBatchSize);
        await engine.InferOk(EchoRequest(batch: 8));
        var error = await engine.InferError(EchoRequest(batch: 9));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("at most 8", error.Message);
    }

    [Fact]
    public async Task ConfigMaxBatchSize_OnAFixedGraph_MakesTheModelUnavailable()
    {
        _repository.AddModel("fixed").WriteConfig("fixed", """{"max_batch_size": 4}""");
        _backend.Register("fixed", FakeModelSpec.Identity("x", "y", DataType.Int32, 2, 2));

        await using var engine = await BuildAsync(_repository, _backend);

        var status = engine.Status("fixed");
        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal("max_batch_size 4 needs a dynamic first dimension on every input and output, but x: INT32 [2,2] has none", status.Versions[0].Reason);
        Assert.True(_backend.Model("fixed").IsDisposed);
    }

    [Fact]
    public async Task InstanceCount_CreatesThatManyInstances()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 3}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var model = _backend.Model("echo");
        Assert.Equal(3, model.InstancesCreated);
        Assert.Equal([0, 1, 2], model.Instances.Select(i => i.Index));
        Assert.Equal(3, model.Context.Config.InstanceCount);
        Assert.Equal(0, model.InstancesDisposed);
    }

    [Fact]
    public async Task ConfigInputs_NarrowADynamicDimension()
    {
        _repository.AddModel("any").WriteConfig("any", """{"input": [{"name": "x", "datatype": "FP32", "dims": [3]}]}""");
        _backend.Register("any", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, -1));

        await using var engine = await BuildAsync(_repository, _backend);

        var metadata = engine.Metadata("any");
        Assert.Equal(64, metadata.MaxBatchSize);
        Assert.Equal("x: FP32 [-1,3]", Shapes(metadata.Signature.Inputs));
        Assert.Equal("y: FP32 [-1,-1]", Shapes(metadata.Signature.Outputs));
        await engine.InferOk(EchoRequest("any", batch: 2));
        var error = await engine.InferError(new("any", [InferenceTensor.Create("x", new float[4], 1, 4)]));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("[-1,3]", error.Message);
    }

    [Fact]
    public async Task ConfigDatatypeMismatch_MakesTheModelUnavailable_NamingTheInput()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"input": [{"name": "x", "datatype": "INT32", "dims": [3]}]}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var status = engine.Status("echo");
        Assert.Equal(ModelState.Unavailable, status.State);
        var version = Assert.Single(status.Versions);
        Assert.Equal(ModelState.Unavailable, version.State);
        Assert.Equal("config.json declares input 'x' as INT32, but the model has FP32", version.Reason);
        Assert.Equal("version 1: config.json declares input 'x' as INT32, but the model has FP32", status.Reason);

        var error = await engine.InferError(EchoRequest());
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains("input 'x'", error.Message);
        Assert.Equal(ErrorCode.Unavailable, engine.CheckReady("echo", null)!.Code);

        var model = _backend.Model("echo");
        Assert.Equal(0, model.InstancesCreated);
        Assert.Equal(1, model.DisposeCalls);
    }

    [Fact]
    public async Task InvalidConfigJson_MakesOnlyThatModelUnavailable()
    {
        _repository.AddModel("bad").WriteConfig("bad", "{ \"max_batch_size\": ");
        _repository.AddModel("misspelt").WriteConfig("misspelt", """{"max_batch": 4}""");
        _repository.AddModel("echo");
        _backend.Register("bad", Echo()).Register("misspelt", Echo()).Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var bad = engine.Status("bad");
        Assert.Equal(ModelState.Unavailable, bad.State);
        Assert.StartsWith("config.json is not valid JSON", bad.Reason);
        Assert.Empty(bad.Versions);
        var misspelt = engine.Status("misspelt");
        Assert.Equal(ModelState.Unavailable, misspelt.State);
        Assert.Equal("config.json: unknown setting 'max_batch'", misspelt.Reason);

        var error = await engine.InferError(EchoRequest("misspelt"));
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains("unknown setting 'max_batch'", error.Message);

        await engine.InferOk(EchoRequest("echo"));
        Assert.Equal(["echo"], _backend.Loaded.Select(m => m.Name));
    }

    [Fact]
    public async Task ConfigThatBreaksTheReader_DoesNotStopTheOtherModels()
    {
        // A version_policy body of the wrong JSON kind; the engine must report it, not fail to build.
        _repository.AddModel("odd").WriteConfig("odd", """{"version_policy": {"latest": 2}}""");
        _repository.AddModel("echo");
        _backend.Register("odd", Echo()).Register("echo", Echo());

        var build = await Record.ExceptionAsync(async () =>
        {
            await using var engine = await BuildAsync(_repository, _backend);
            Assert.Equal(ModelState.Unavailable, engine.Status("odd").State);
            Assert.StartsWith("config.json", engine.Status("odd").Reason);
            await engine.InferOk(EchoRequest("echo"));
        });

        Assert.Null(build);
    }

    [Fact]
    public async Task DefaultPolicy_ServesTheNumericallyHighestVersion()
    {
        _repository.AddModel("echo", 1, 2, 10, 9);
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal([10L], engine.Status("echo").Versions.Select(v => v.Version));
        Assert.Equal(["10"], engine.Metadata("echo").Versions);
        Assert.Equal([10L], _backend.Loaded.Select(m => m.Version));
        Assert.Equal("10", (await engine.InferOk(EchoRequest())).ModelVersion);
    }

    [Fact]
    public async Task LatestN_ServesTheNHighestVersions()
    {
        _repository.AddModel("echo", 1, 2, 3).WriteConfig("echo", """{"version_policy": {"latest": {"num_versions": 2}}}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(
            [new ModelVersionStatus(3, ModelState.Ready, null), new ModelVersionStatus(2, ModelState.Ready, null)],
            engine.Status("echo").Versions);
        Assert.Equal(["3", "2"], engine.Metadata("echo").Versions);
        Assert.Equal("2", (await engine.InferOk(EchoRequest(version: "2"))).ModelVersion);
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest(version: "1"))).Code);
    }

    [Fact]
    public async Task AllPolicy_ServesEveryVersion()
    {
        _repository.AddModel("echo", 3, 1, 2).WriteConfig("echo", """{"version_policy": {"all": {}}}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal([3L, 2L, 1L], engine.Status("echo").Versions.Select(v => v.Version));
        Assert.All(engine.Status("echo").Versions, v => Assert.Equal(ModelState.Ready, v.State));
        foreach (var version in new[] { "1", "2", "3" })
        {
            Assert.Equal(version, (await engine.InferOk(EchoRequest(version: version))).ModelVersion);
        }
    }

    [Fact]
    public async Task SpecificPolicy_ReportsAVersionMissingOnDiskAsUnavailable()
    {
        _repository.AddModel("echo", 1, 2, 3).WriteConfig("echo", """{"version_policy": {"specific": {"versions": [1, 5]}}}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var status = engine.Status("echo");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal(
            [new ModelVersionStatus(5, ModelState.Unavailable, "the version folder does not exist"), new ModelVersionStatus(1, ModelState.Ready, null)],
            status.Versions);
        Assert.Equal(["1"], engine.Metadata("echo").Versions);
        Assert.Equal("1", (await engine.InferOk(EchoRequest())).ModelVersion);

        var missing = await engine.InferError(EchoRequest(version: "5"));
        Assert.Equal(ErrorCode.Unavailable, missing.Code);
        Assert.Equal("model 'echo' version 5 is not ready: the version folder does not exist", missing.Message);
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest(version: "2"))).Code);
        Assert.Equal([1L], _backend.Loaded.Select(m => m.Version));
    }

    [Fact]
    public async Task NonNumericVersionFolders_AreIgnored()
    {
        _repository.AddModel("echo", 1)
            .AddVersionFolder("echo", "latest", withModelFile: true)
            .AddVersionFolder("echo", "01", withModelFile: true)
            .AddVersionFolder("echo", "0", withModelFile: true)
            .AddVersionFolder("echo", "-3", withModelFile: true)
            .AddVersionFolder("echo", "v2", withModelFile: true)
            .AddVersionFolder("echo", "99999999999999999999", withModelFile: true);
        File.WriteAllText(Path.Combine(_repository.ModelPath("echo"), "7"), "a file, not a folder");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal([new ModelVersionStatus(1, ModelState.Ready, null)], engine.Status("echo").Versions);
        Assert.Equal([1L], _backend.Loaded.Select(m => m.Version));
    }

    [Fact]
    public async Task ModelFolderWithoutVersions_IsUnavailable()
    {
        Directory.CreateDirectory(_repository.ModelPath("empty"));
        _repository.AddVersionFolder("notes", "docs", withModelFile: false);
        _backend.Register("empty", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        foreach (var name in new[] { "empty", "notes" })
        {
            var status = engine.Status(name);
            Assert.Equal(ModelState.Unavailable, status.State);
            Assert.StartsWith("no version folders", status.Reason);
            Assert.Empty(status.Versions);
            var error = await engine.InferError(EchoRequest(name));
            Assert.Equal(ErrorCode.Unavailable, error.Code);
            Assert.Equal($"model '{name}' is not ready: {status.Reason}", error.Message);
        }
    }

    [Fact]
    public async Task VersionFolderWithoutAModelFile_IsUnavailable()
    {
        _repository.AddModel("echo", 1).AddVersionFolder("echo", "2", withModelFile: false)
            .WriteConfig("echo", """{"version_policy": {"all": {}}}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var versions = engine.Status("echo").Versions;
        Assert.Equal(ModelState.Unavailable, versions[0].State);
        Assert.Equal(2, versions[0].Version);
        Assert.StartsWith("no model file that a configured backend loads", versions[0].Reason);
        Assert.Equal(new ModelVersionStatus(1, ModelState.Ready, null), versions[1]);
        Assert.Equal("1", (await engine.InferOk(EchoRequest())).ModelVersion);
    }

    [Fact]
    public async Task BackendLoadFailure_MakesThatVersionUnavailable_WithTheBackendsMessage()
    {
        _repository.AddModel("echo", 1, 2).WriteConfig("echo", """{"version_policy": {"all": {}}}""");
        _backend.Register("echo", Echo()).Register("echo", 2, Echo() with { LoadError = "the graph is corrupt" });

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(
            [new ModelVersionStatus(2, ModelState.Unavailable, "the graph is corrupt"), new ModelVersionStatus(1, ModelState.Ready, null)],
            engine.Status("echo").Versions);
        Assert.Equal("1", (await engine.InferOk(EchoRequest())).ModelVersion);
        var error = await engine.InferError(EchoRequest(version: "2"));
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains("the graph is corrupt", error.Message);
    }

    [Fact]
    public async Task UnregisteredModel_IsUnavailable_OthersServed()
    {
        _repository.AddModel("stranger").AddModel("echo");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(ModelState.Unavailable, engine.Status("stranger").State);
        Assert.Contains("no model registered as 'stranger'", engine.Status("stranger").Reason);
        await engine.InferOk(EchoRequest());
    }

    [Fact]
    public async Task FoldersThatAreNotModelNames_AreSkipped_AndModelsAreSortedByName()
    {
        _repository.AddModel(".git").AddModel("with space").AddModel("zeta").AddModel("alpha").AddModel("Mid");
        _backend.Register("zeta", Echo()).Register("alpha", Echo()).Register("Mid", Echo())
            .Register(".git", Echo()).Register("with space", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(["Mid", "alpha", "zeta"], engine.Models.Select(m => m.Name));
        Assert.Equal(ErrorCode.NotFound, (await engine.InferError(EchoRequest(".git"))).Code);
    }

    [Fact]
    public async Task MissingRepository_FailsTheBuild_NamingThePath()
    {
        var path = Path.Combine(_repository.Path, "does-not-exist");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => new InferenceEngineBuilder().UseModelRepository(path).AddBackend(_backend).BuildAsync().WaitAsync(TestTimeout));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task NoRepository_BuildsAnEmptyEngine()
    {
        await using var engine = await new InferenceEngineBuilder().BuildAsync().WaitAsync(TestTimeout);

        Assert.Empty(engine.Models);
        Assert.Null(engine.Repository);
    }

    [Fact]
    public async Task RepositoryWithoutBackend_Throws()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new InferenceEngineBuilder().UseModelRepository(_repository.Path).BuildAsync().WaitAsync(TestTimeout));
        Assert.Contains("No backend", ex.Message);
    }

    [Fact]
    public async Task CancelledBuild_ReleasesEverythingItLoaded()
    {
        using var cts = new CancellationTokenSource();
        _repository.AddModel("a").AddModel("b");
        _backend.Register("a", Echo()).Register("b", FakeModelSpec.Custom(EchoSignature, call =>
        {
            // Cancel the build while "b" warms up, after "a" is already loaded and ready.
            cts.Cancel();
            call.CancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(FakeModelSpec.Echo(call.Batch, call.Model.Signature));
        }));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).BuildAsync(cts.Token).WaitAsync(TestTimeout));

        // Nobody can dispose an engine that was never returned: the builder must release what it loaded.
        Assert.Equal(["a", "b"], _backend.Loaded.Select(m => m.Name));
        Assert.All(_backend.Loaded, model =>
        {
            Assert.True(model.IsDisposed, $"model '{model.Name}' was not disposed");
            Assert.Equal(model.InstancesCreated, model.InstancesDisposed);
        });
    }

    [Fact]
    public async Task LoadContext_CarriesNameVersionFolderConfigAndClock()
    {
        _repository.AddModel("echo", 4).WriteConfig("echo", """{"parameters": {"threads": "2"}}""");
        _backend.Register("echo", Echo());
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();

        await using var engine = await BuildAsync(_repository, _backend, time);

        var context = _backend.Model("echo", 4).Context;
        Assert.Equal("echo", context.ModelName);
        Assert.Equal(4, context.Version);
        Assert.Equal(Path.Combine(_repository.Path, "echo", "4"), context.VersionDirectory);
        Assert.True(Path.IsPathFullyQualified(context.VersionDirectory));
        Assert.Equal("2", context.Config.Parameters["threads"]);
        Assert.Same(time, context.Time);
        Assert.NotNull(context.LoggerFactory);
    }
}
