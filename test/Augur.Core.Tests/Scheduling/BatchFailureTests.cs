using Augur.Errors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>A batch that fails fails every one of its requests with the reason; the instance then serves the next batch.</summary>
public sealed class BatchFailureTests : SchedulingTestBase
{
    /// <summary>Runs a, b and c as one batch (they wait the 1 ms delay together) and returns their errors.</summary>
    private async Task<InferenceError[]> RunBatchOfThree(FakeModelSpec spec)
    {
        await using var engine = await StartAsync(WaitOneMs, spec: spec);

        var requests = new[] { "a", "b", "c" }.Select(id => engine.Infer(Request(id))).ToArray();
        Time.Advance(Microseconds(1000));
        var results = await Task.WhenAll(requests);

        Assert.Equal("a,b,c", Batches(Backend.Model("echo")));
        Assert.All(results, r => Assert.False(r.IsSuccess));
        return results.Select(r => r.Error!).ToArray();
    }

    [Fact]
    public async Task FailureResult_IsEveryRequestsError()
    {
        var failure = new InferenceError(ErrorCode.ResourceExhausted, "out of device memory");

        var errors = await RunBatchOfThree(FakeModelSpec.Failing(EchoSignature, failure));

        Assert.All(errors, e => Assert.Equal(failure, e));
    }

    [Fact]
    public async Task InvalidInput_InABatch_IsRetriedAlone_SoOnlyTheBadRequestFails()
    {
        // ONNX Runtime refuses a whole batch when one request holds a value the signature cannot rule out.
        var spec = FakeModelSpec.Custom(EchoSignature, call => ValueTask.FromResult(call.Batch.Any(r => r.Id == "bad")
            ? Augur.Backends.BatchResult.Failure(InferenceError.Invalid("model 'echo' could not run on this input: index out of range"))
            : FakeModelSpec.Echo(call.Batch, call.Model.Signature)));
        await using var engine = await StartAsync(WaitOneMs, spec: spec);

        var requests = new[] { "a", "bad", "c" }.Select(id => engine.Infer(Request(id))).ToArray();
        Time.Advance(Microseconds(1000));
        var results = await Task.WhenAll(requests);

        Assert.Equal("a,bad,c|a|bad|c", Batches(Backend.Model("echo")));
        Assert.True(results[0].IsSuccess);
        Assert.Equal(ErrorCode.InvalidArgument, results[1].Error!.Code);
        Assert.True(results[2].IsSuccess);
    }

    [Fact]
    public async Task Exception_FailsEveryRequestAsInternal()
    {
        var errors = await RunBatchOfThree(FakeModelSpec.Throwing(EchoSignature, "kernel crashed"));

        Assert.All(errors, e => Assert.Equal(new InferenceError(ErrorCode.Internal, "model 'echo' failed: kernel crashed"), e));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task WrongResultCount_FailsEveryRequestAsInternal(int resultCount)
    {
        var errors = await RunBatchOfThree(FakeModelSpec.WrongCount(EchoSignature, resultCount));

        Assert.All(errors, e => Assert.Equal(
            new InferenceError(ErrorCode.Internal, $"model 'echo' returned {resultCount} results for a batch of 3 requests"), e));
    }

    [Fact]
    public async Task FailedBatch_GivesTheInstanceBack()
    {
        await using var engine = await StartAsync(WaitOneMs, spec: FakeModelSpec.Custom(EchoSignature, call => call.Batch.Any(r => r.Id == "boom")
            ? throw new InvalidOperationException("boom")
            : ValueTask.FromResult(FakeModelSpec.Echo(call.Batch, call.Model.Signature))));

        var failed = new[] { engine.Infer(Request("boom")), engine.Infer(Request("victim")) };
        Time.Advance(Microseconds(1000));
        Assert.All(await Task.WhenAll(failed), r => Assert.Equal(ErrorCode.Internal, r.Error!.Code));
        var next = engine.Infer(Request("next"));
        Time.Advance(Microseconds(1000));

        Assert.True((await next).IsSuccess);
        Assert.Equal("boom,victim|next", Batches(Backend.Model("echo")));
        Assert.Empty(Backend.Model("echo").Violations);
    }
}
