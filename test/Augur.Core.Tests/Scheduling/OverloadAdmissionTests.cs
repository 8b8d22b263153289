using Augur.Errors;
using Augur.Inference;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// Admission under overload, on a fake clock: once the cost curve has seen enough batches, a request whose predicted
/// queue wait passes its timeout is refused at once (503, with the wait as Retry-After), and one that can wait is queued.
/// The model computes for 1 ms per sample; batches hold at most 8.
/// </summary>
public sealed class OverloadAdmissionTests : SchedulingTestBase
{
    private async Task<(InferenceEngine Engine, HeldModel Held)> StartLearnedAsync()
    {
        var held = new HeldModel(EchoSignature, afterRelease: call => Time.Advance(TimeSpan.FromMilliseconds(call.Batch.Count)));
        var engine = await StartAsync("{}", maxBatchSize: 8, spec: held.Spec);
        for (var i = 0; i < Augur.Scheduling.DynamicBatcher.BatchesBeforeAdmission; i++)
        {
            var answer = engine.Infer(Request($"warm{i}"));
            held.Release(await held.NextStartAsync());
            Assert.True((await answer).IsSuccess);
        }

        return (engine, held);
    }

    [Fact]
    public async Task A_request_that_would_wait_past_its_timeout_is_refused_at_once_and_one_that_can_wait_is_queued()
    {
        var (engine, held) = await StartLearnedAsync();
        await using var _ = engine;
        var running = engine.Infer(Request("running"));
        await held.NextStartAsync();
        var queued = Enumerable.Range(0, 10).Select(i => engine.Infer(Request($"q{i}"))).ToList();

        // 11 samples ahead make two batches of 8 on the one busy instance: about 2 × 8 ms.
        var refused = engine.Infer(Request("hurried", timeout: TimeSpan.FromMilliseconds(10)));
        Assert.True(refused.IsCompleted, "the refusal must not wait for the queue");
        var error = (await refused).Error;
        Assert.NotNull(error);
        Assert.Equal(ErrorCode.ResourceExhausted, error.Code);
        Assert.Contains("overloaded", error.Message, StringComparison.Ordinal);
        Assert.Contains("timeout of 10 ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(16), error.RetryAfter);

        var patient = engine.Infer(Request("patient", timeout: TimeSpan.FromMilliseconds(100)));
        Assert.False(patient.IsCompleted);

        held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(queued), r => Assert.True(r.IsSuccess));
        Assert.True((await patient).IsSuccess, (await patient).Error?.ToString());
    }

    [Fact]
    public async Task Requests_without_a_timeout_are_never_refused_for_their_wait()
    {
        var (engine, held) = await StartLearnedAsync();
        await using var _ = engine;
        var running = engine.Infer(Request("running"));
        await held.NextStartAsync();
        var queued = Enumerable.Range(0, 100).Select(i => engine.Infer(Request($"q{i}"))).ToList();

        Assert.All(queued, q => Assert.False(q.IsCompleted));
        held.ReleaseAll();
        Assert.True((await running).IsSuccess);
        Assert.All(await Task.WhenAll(queued), r => Assert.True(r.IsSuccess));
    }
}
