using Augur.Backends;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

/// <summary>Instances that report themselves down (a worker restarting): where batches go, and what the doors are told.</summary>
public sealed class DownInstanceTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    private Task<InferenceEngine> BuildAsync() =>
        new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).BuildAsync().WaitAsync(TestTimeout);

    [Fact]
    public async Task A_batch_waits_for_a_busy_ready_instance_rather_than_go_to_an_idle_one_that_is_down()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signature = Echo().Signature;
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2, "warmup": {"iterations": 0}, "dynamic_batching": {"max_queue_delay_microseconds": 0}}""");
        _backend.Register("echo", FakeModelSpec.Custom(signature, async call =>
        {
            if (call.Sequence == 0)
            {
                held.TrySetResult();
                await release.Task.ConfigureAwait(false);
            }

            return FakeModelSpec.Echo(call.Batch, signature);
        }));
        await using var engine = await BuildAsync();
        var model = _backend.Model("echo");
        model.Instances[0].Health = InstanceHealth.Down("restarting");

        var first = engine.InferOk(EchoRequest());
        await held.Task.WaitAsync(TestTimeout);
        var second = engine.InferOk(EchoRequest());
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TestTimeout);

        Assert.Equal([1, 1], model.Calls.Select(c => c.Instance.Index));
    }

    [Fact]
    public async Task When_no_instance_is_ready_the_batch_goes_to_a_down_instance_which_answers_it()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"instance_count": 2, "warmup": {"iterations": 0}}""");
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync();
        var model = _backend.Model("echo");
        model.Instances[0].Health = InstanceHealth.Down("restarting");
        model.Instances[1].Health = InstanceHealth.Down("restarting");

        await engine.InferOk(EchoRequest()).WaitAsync(TestTimeout);

        Assert.Single(model.Calls);
    }

    [Fact]
    public async Task A_loaded_model_whose_instances_are_down_is_not_ready_but_still_takes_requests()
    {
        _repository.AddModel("echo").WriteConfig("echo", """{"warmup": {"iterations": 0}}""");
        _backend.Register("echo", Echo());
        await using var engine = await BuildAsync();
        _backend.Model("echo").Instances[0].Health = InstanceHealth.Down("the worker (pid 7) was killed by signal 9; restarting");

        Assert.Equal("model 'echo' version 1 is not ready: the worker (pid 7) was killed by signal 9; restarting", engine.CheckReady("echo", null)?.Message);
        Assert.Null(engine.CheckCanInfer("echo", null));
        Assert.NotNull(engine.CheckCanInfer("nope", null));
    }
}
