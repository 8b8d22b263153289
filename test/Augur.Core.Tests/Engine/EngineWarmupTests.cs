using Augur.Backends;
using Augur.Errors;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineWarmupTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Default_RunsOneSampleOncePerInstance()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var model = _backend.Model("echo");
        Assert.Equal(2, model.ExecutionCount);
        Assert.Equal([1, 1], model.Instances.Select(i => i.ExecutionCount));
        var call = model.Calls[0];
        var request = Assert.Single(call.Batch);
        Assert.Equal("echo", request.ModelName);
        var input = Assert.Single(request.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(DataType.Fp32, input.DataType);
        Assert.Equal([1L, 3L], input.Shape.ToArray());
        Assert.All(input.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public async Task ConfiguredIterations_RunOnEveryInstance()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 3, "warmup": {"iterations": 4}}""");
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var model = _backend.Model("echo");
        Assert.Equal(12, model.ExecutionCount);
        Assert.Equal([4, 4, 4], model.Instances.Select(i => i.ExecutionCount));
        Assert.Empty(model.Violations);

        await engine.InferOk(EchoRequest());
        Assert.Equal(13, model.ExecutionCount);
    }

    [Fact]
    public async Task ZeroIterations_DisablesWarmup()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(0, _backend.Model("echo").ExecutionCount);
    }

    [Theory]
    [InlineData("""{"warmup": {"batch_size": 4}}""", 4)]
    [InlineData("""{"max_batch_size": 8, "warmup": {"batch_size": 100}}""", 8)]
    [InlineData("""{"max_batch_size": 0, "warmup": {"batch_size": 4}}""", 1)]
    public async Task BatchSize_IsCappedByMaxBatchSize(string config, long expectedBatch)
    {
        _repository.AddModel("echo").WriteConfig("echo", config);
        _backend.Register("echo", Echo());

        await using var engine = await BuildAsync(_repository, _backend);

        var input = Assert.Single(Assert.Single(_backend.Model("echo").Calls).Batch).Inputs[0];
        Assert.Equal([expectedBatch, 3L], input.Shape.ToArray());
        Assert.Equal(expectedBatch * 3, input.ElementCount);
    }

    [Fact]
    public async Task SamplesFillDynamicDimensionsWithOne_AndBytesWithEmptyStrings()
    {
        _repository.AddModel("mixed");
        _backend.Register("mixed", FakeModelSpec.Identity(
            [new TensorSpec("text", DataType.Bytes, [-1, -1]), new TensorSpec("flags", DataType.Bool, [-1, 2, -1])],
            ["text_out", "flags_out"]));

        await using var engine = await BuildAsync(_repository, _backend);

        var request = Assert.Single(Assert.Single(_backend.Model("mixed").Calls).Batch);
        Assert.Equal([1L, 1L], request.FindInput("text")!.Shape.ToArray());
        Assert.Equal([""], request.FindInput("text")!.ToStrings());
        Assert.Equal([1L, 2L, 1L], request.FindInput("flags")!.Shape.ToArray());
        Assert.Equal([false, false], request.FindInput("flags")!.ToArray<bool>());
        Assert.Equal(ModelState.Ready, engine.Status("mixed").State);
    }

    [Fact]
    public async Task FailureResult_MakesTheVersionUnavailable_AndReleasesEverything()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2}""");
        _backend.Register("echo", FakeModelSpec.Failing(EchoSignature, new InferenceError(ErrorCode.Internal, "kernel missing")));

        await using var engine = await BuildAsync(_repository, _backend);

        var status = engine.Status("echo");
        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal(new ModelVersionStatus(1, ModelState.Unavailable, "warm-up failed: kernel missing"), Assert.Single(status.Versions));
        var model = _backend.Model("echo");
        Assert.Equal(1, model.ExecutionCount);
        Assert.Equal(2, model.InstancesCreated);
        Assert.Equal(2, model.InstancesDisposed);
        Assert.All(model.Instances, i => Assert.Equal(1, i.DisposeCalls));
        Assert.Equal(1, model.DisposeCalls);
        Assert.Empty(model.Violations);
        Assert.Equal(ErrorCode.Unavailable, (await engine.InferError(EchoRequest())).Code);
    }

    [Fact]
    public async Task Exception_MakesTheVersionUnavailable_WithItsMessage()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", FakeModelSpec.Throwing(EchoSignature, "out of memory"));

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal("out of memory", Assert.Single(engine.Status("echo").Versions).Reason);
        Assert.True(_backend.Model("echo").IsDisposed);
        Assert.Equal(1, _backend.Model("echo").InstancesDisposed);
    }

    [Fact]
    public async Task WrongResultCount_MakesTheVersionUnavailable()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", FakeModelSpec.WrongCount(EchoSignature, 2));

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal("warm-up failed: the backend returned the wrong number of results", Assert.Single(engine.Status("echo").Versions).Reason);
    }

    [Fact]
    public async Task FailureOnTheSecondInstanceOnly_StillFailsTheVersion()
    {
        _repository.AddModel("echo", 1, 2).WriteConfig("echo", """{"instance_count": 2, "version_policy": {"all": {}}}""");
        var echo = Echo();
        _backend.Register("echo", echo).Register("echo", 2, echo with
        {
            Execute = call => call.Instance.Index == 1
                ? ValueTask.FromResult(BatchResult.Failure(new InferenceError(ErrorCode.Internal, "instance 1 broke")))
                : echo.Execute(call),
        });

        await using var engine = await BuildAsync(_repository, _backend);

        Assert.Equal(
            [new ModelVersionStatus(2, ModelState.Unavailable, "warm-up failed: instance 1 broke"), new ModelVersionStatus(1, ModelState.Ready, null)],
            engine.Status("echo").Versions);
        Assert.Equal(2, _backend.Model("echo", 2).InstancesDisposed);
        Assert.Equal("1", (await engine.InferOk(EchoRequest())).ModelVersion);
    }
}
