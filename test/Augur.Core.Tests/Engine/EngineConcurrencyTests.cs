using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineConcurrencyTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task ManyConcurrentRequests_OnTwoInstances_AllSucceed_OneBatchPerInstanceAtATime()
    {
        const int requests = 200;
        var entered = 0;
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2, "warmup": {"iterations": 0}}""");
        _backend.Register("echo", FakeModelSpec.Custom(EchoSignature, async call =>
        {
            // The first two executions wait for each other: with two instances the engine must run two
            // requests at once (a serialising engine fails here after the timeout instead of hanging).
            var order = Interlocked.Increment(ref entered);
            if (order <= 2)
            {
                if (order == 2)
                {
                    bothRunning.TrySetResult();
                }

                await bothRunning.Task.WaitAsync(TestTimeout);
            }
            else
            {
                await Task.Yield();
            }

            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        }));
        await using var engine = await BuildAsync(_repository, _backend);

        var tasks = Enumerable.Range(0, requests).Select(i => Task.Run(async () =>
        {
            var request = new InferenceRequest("echo", [InferenceTensor.Create("x", new float[] { i, i + 0.5f, -i }, 1, 3)]) { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return (Index: i, Result: await engine.TryInferAsync(request));
        })).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(TestTimeout);

        foreach (var (index, result) in results)
        {
            Assert.True(result.IsSuccess, result.Error?.ToString());
            Assert.Equal(index.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Response.Id);
            Assert.Equal([index, index + 0.5f, -index], result.Response["y"].ToArray<float>());
        }

        var model = _backend.Model("echo");
        Assert.Empty(model.Violations);
        // Requests that queue behind busy instances are batched together: each ran exactly once, in some batch.
        var ran = model.Calls.SelectMany(c => c.Batch).Select(r => r.Id).ToArray();
        Assert.Equal(requests, ran.Length);
        Assert.Equal(requests, ran.Distinct().Count());
        Assert.Equal(2, model.MaxConcurrentExecutions);
        Assert.All(model.Instances, i => Assert.True(i.ExecutionCount > 0));
    }

    [Fact]
    public async Task ConcurrentRequests_OnOneInstance_RunOneAtATime()
    {
        _repository.AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("echo", FakeModelSpec.Custom(EchoSignature, async call =>
        {
            await Task.Yield();
            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        }));
        await using var engine = await BuildAsync(_repository, _backend);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () => await engine.TryInferAsync(EchoRequest())))).WaitAsync(TestTimeout);

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.ToString()));
        Assert.Equal(1, _backend.Model("echo").MaxConcurrentExecutions);
        Assert.Empty(_backend.Model("echo").Violations);
    }
}
