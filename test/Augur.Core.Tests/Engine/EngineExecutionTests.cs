using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineExecutionTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    /// <summary>A one-instance echo whose executions wait for <see cref="Release"/> after signalling <see cref="Started"/>.</summary>
    private sealed class Gate
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FakeModelSpec Spec() => FakeModelSpec.Custom(EchoSignature, async call =>
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(TestTimeout, call.CancellationToken);
            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        });
    }

    [Fact]
    public async Task Response_EchoesIdAndOutputs()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(_repository, _backend);

        var response = await engine.InferOk(EchoRequest(batch: 2, id: "req-7"));

        Assert.Equal("echo", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("req-7", response.Id);
        var y = Assert.Single(response.Outputs);
        Assert.Equal("y", y.Name);
        Assert.Equal(DataType.Fp32, y.DataType);
        Assert.Equal([2L, 3L], y.Shape.ToArray());
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], y.ToArray<float>());
        Assert.Null((await engine.InferOk(EchoRequest())).Id);
    }

    [Fact]
    public async Task EachRequest_ReachesTheBackendAsABatchOfOne()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(_repository, _backend);
        var request = EchoRequest(batch: 3);

        await engine.InferOk(request);

        var call = Assert.Single(_backend.Model("echo").Calls);
        Assert.Same(request, Assert.Single(call.Batch));
    }

    [Fact]
    public async Task BackendException_IsInternal_AndTheNextRequestWorks()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", FakeModelSpec.Custom(EchoSignature, call => call.Batch[0].Id == "boom"
            ? throw new InvalidOperationException("index out of range in kernel")
            : ValueTask.FromResult(FakeModelSpec.Echo(call.Batch, call.Model.Signature))));
        await using var engine = await BuildAsync(_repository, _backend);

        var error = await engine.InferError(EchoRequest(id: "boom"));
        var ex = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(EchoRequest(id: "boom")).AsTask().WaitAsync(TestTimeout));
        var next = await engine.InferOk(EchoRequest(id: "fine"));

        Assert.Equal(ErrorCode.Internal, error.Code);
        Assert.Equal("model 'echo' failed: index out of range in kernel", error.Message);
        Assert.Equal(ErrorCode.Internal, ex.Code);
        Assert.Equal("fine", next.Id);
        Assert.Equal(3, _backend.Model("echo").ExecutionCount);
        Assert.Empty(_backend.Model("echo").Violations);
    }

    [Fact]
    public async Task BackendOperationCanceled_WithoutCancellation_IsInternal()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", FakeModelSpec.Custom(EchoSignature, _ => throw new OperationCanceledException("backend gave up")));
        await using var engine = await BuildAsync(_repository, _backend);

        var error = await engine.InferError(EchoRequest());

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Theory]
    [InlineData(ErrorCode.ResourceExhausted)]
    [InlineData(ErrorCode.Internal)]
    [InlineData(ErrorCode.InvalidArgument)]
    public async Task BackendFailureResult_IsReturnedAsIs(ErrorCode code)
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        var failure = new InferenceError(code, "the backend said no");
        _backend.Register("echo", FakeModelSpec.Failing(EchoSignature, failure));
        await using var engine = await BuildAsync(_repository, _backend);

        var error = await engine.InferError(EchoRequest());

        Assert.Equal(failure, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task WrongResultCount_IsInternal(int resultCount)
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", FakeModelSpec.WrongCount(EchoSignature, resultCount));
        await using var engine = await BuildAsync(_repository, _backend);

        var error = await engine.InferError(EchoRequest());

        Assert.Equal(ErrorCode.Internal, error.Code);
        Assert.Contains("model 'echo'", error.Message);
    }

    [Fact]
    public async Task WrongOutputCount_IsInternal()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", FakeModelSpec.Custom(EchoSignature, call =>
            ValueTask.FromResult(BatchResult.Success([[]], FakeModelSpec.DefaultTimings))));
        await using var engine = await BuildAsync(_repository, _backend);

        var error = await engine.InferError(EchoRequest());

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Fact]
    public async Task Timings_AreNonNegative_WithComputeTimesFromTheBackend()
    {
        _repository.AddModel("echo");
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync(_repository, _backend);

        var timings = (await engine.InferOk(EchoRequest())).Timings;

        Assert.True(timings.Queue >= TimeSpan.Zero, timings.ToString());
        Assert.Equal(FakeModelSpec.DefaultTimings.Input, timings.ComputeInput);
        Assert.Equal(FakeModelSpec.DefaultTimings.Infer, timings.ComputeInfer);
        Assert.Equal(FakeModelSpec.DefaultTimings.Output, timings.ComputeOutput);
        Assert.Equal(timings.Queue + TimeSpan.FromMilliseconds(6), timings.Total);
    }

    [Fact]
    public async Task QueueTime_IsMeasuredWithTheEnginesClock()
    {
        var time = new FakeTimeProvider();
        var gate = new Gate();
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", gate.Spec());
        await using var engine = await BuildAsync(_repository, _backend, time);

        var first = engine.Infer(EchoRequest(id: "first"));
        await gate.Started.Task.WaitAsync(TestTimeout);
        var second = engine.Infer(EchoRequest(id: "second"));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        gate.Release.SetResult();

        var firstTimings = Assert.IsType<InferenceResponse>((await first).Response).Timings;
        var secondTimings = Assert.IsType<InferenceResponse>((await second).Response).Timings;
        Assert.Equal(new InferenceTimings(TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(3)), firstTimings);
        Assert.Equal(TimeSpan.FromSeconds(5), secondTimings.Queue);
        Assert.Equal(TimeSpan.FromMilliseconds(5006), secondTimings.Total);
    }

    [Fact]
    public async Task CancelWhileQueued_IsCancelled_AndNeverReachesTheBackend()
    {
        var gate = new Gate();
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", gate.Spec());
        await using var engine = await BuildAsync(_repository, _backend);
        using var cts = new CancellationTokenSource();

        var running = engine.Infer(EchoRequest());
        await gate.Started.Task.WaitAsync(TestTimeout);
        var queued = engine.Infer(EchoRequest(), cts.Token);
        cts.Cancel();
        var error = Assert.IsType<InferenceError>((await queued).Error);
        gate.Release.SetResult();

        Assert.Equal(ErrorCode.Cancelled, error.Code);
        Assert.Contains("queued", error.Message);
        Assert.True((await running).IsSuccess);
        Assert.Equal(1, _backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task CancelWhileRunning_IsCancelled_AndTheInstanceIsReused()
    {
        var gate = new Gate();
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", gate.Spec());
        await using var engine = await BuildAsync(_repository, _backend);
        using var cts = new CancellationTokenSource();

        var running = engine.Infer(EchoRequest(), cts.Token);
        await gate.Started.Task.WaitAsync(TestTimeout);
        cts.Cancel();
        var error = Assert.IsType<InferenceError>((await running).Error);
        gate.Release.SetResult();

        Assert.Equal(ErrorCode.Cancelled, error.Code);
        Assert.Contains("running", error.Message);
        Assert.True((await engine.Infer(EchoRequest())).IsSuccess);
        Assert.Empty(_backend.Model("echo").Violations);
    }

    [Fact]
    public async Task DisposedEngine_IsUnavailable_AndReleasesEveryModelOnce()
    {
        _repository.AddModel("echo", 1, 2).WriteConfig("echo", """{"instance_count": 2, "version_policy": {"all": {}}}""");
        _backend.Register("echo", Echo());
        var engine = await BuildAsync(_repository, _backend);

        await engine.DisposeAsync().AsTask().WaitAsync(TestTimeout);
        await engine.DisposeAsync().AsTask().WaitAsync(TestTimeout);

        Assert.False(engine.IsReady);
        var error = await engine.InferError(EchoRequest());
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal("the engine is shutting down", error.Message);
        var ex = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(EchoRequest()).AsTask().WaitAsync(TestTimeout));
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
        Assert.Equal(ErrorCode.Unavailable, engine.CheckReady("echo", null)!.Code);
        Assert.Equal(ErrorCode.Unavailable, engine.CheckReady("nope", null)!.Code);
        foreach (var model in _backend.Loaded)
        {
            Assert.Equal(1, model.DisposeCalls);
            Assert.All(model.Instances, i => Assert.Equal(1, i.DisposeCalls));
            Assert.Empty(model.Violations);
        }

        Assert.Equal(2, _backend.Loaded.Count);
    }

    [Fact]
    public async Task DisposeWhileARequestRuns_DoesNotDisposeTheRunningInstance()
    {
        var gate = new Gate();
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", gate.Spec());
        var engine = await BuildAsync(_repository, _backend);

        var running = engine.Infer(EchoRequest(id: "in-flight"));
        await gate.Started.Task.WaitAsync(TestTimeout);
        var disposing = engine.DisposeAsync().AsTask();
        gate.Release.SetResult();
        var result = await running;
        await disposing.WaitAsync(TestTimeout);

        // The request was admitted before shutdown: it completes, and its instance is disposed only afterwards.
        Assert.True(result.IsSuccess, result.Error?.ToString());
        var model = _backend.Model("echo");
        Assert.Empty(model.Violations);
        Assert.Equal(1, model.InstancesDisposed);
        Assert.True(model.IsDisposed);
    }
}
