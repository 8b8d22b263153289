using System.Collections.Concurrent;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Lifecycle;

/// <summary>Validate-then-swap: new versions replace old ones under load with no failed request.</summary>
public sealed class HotSwapTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Twenty_swaps_under_steady_load_fail_no_request_and_each_response_names_one_version()
    {
        _repository.AddModel("m", 1);
        _backend.Register("m", Echo());
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("*"));

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var responses = 0;
        using var progress = new SemaphoreSlim(0);
        var clients = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var last = 0L;
            while (!stop.IsCancellationRequested)
            {
                var result = await engine.Infer(EchoRequest("m", id: $"c{client}"));
                if (!result.IsSuccess)
                {
                    failures.Enqueue(result.Error.ToString());
                    continue;
                }

                var version = long.Parse(result.Response.ModelVersion, System.Globalization.CultureInfo.InvariantCulture);
                if (version < last)
                {
                    failures.Enqueue($"client {client} saw version {version} after {last}");
                }

                last = version;
                Interlocked.Increment(ref responses);
                progress.Release();
            }
        })).ToArray();

        for (var version = 2L; version <= 21; version++)
        {
            // Load is steady: requests are answered between every two swaps (and during them).
            for (var i = 0; i < 8; i++)
            {
                Assert.True(await progress.WaitAsync(TestTimeout));
            }

            _repository.AddModel("m", version);
            // Half the swaps through an explicit load, half through a poll: both are validate-then-swap.
            var error = version % 2 == 0 ? await engine.LoadModelAsync("m").WaitAsync(TestTimeout) : null;
            if (version % 2 == 1)
            {
                Assert.Equal(1, await engine.PollRepositoryAsync().WaitAsync(TestTimeout));
            }

            Assert.Null(error);
            Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), await engine.ServedVersion("m"));
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients).WaitAsync(TestTimeout);

        Assert.Empty(failures);
        Assert.True(responses >= 160);
        Assert.Equal(0, engine.RetiringVersions);
        for (var version = 1L; version <= 20; version++)
        {
            var old = _backend.Model("m", version);
            Assert.True(old.IsDisposed, $"version {version} was not disposed");
            Assert.Equal(1, old.DisposeCalls);
            Assert.Equal(old.InstancesCreated, old.InstancesDisposed);
            Assert.Empty(old.Violations);
        }

        Assert.False(_backend.Model("m", 21).IsDisposed);
    }

    [Fact]
    public async Task A_request_in_flight_finishes_on_its_version_which_is_disposed_when_it_ends()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _repository.AddModel("m", 1).WriteConfig("m", NoWarmup);
        _backend.Register("m", 1, FakeModelSpec.Custom(EchoSignature, async call =>
        {
            started.TrySetResult();
            await gate.Task.WaitAsync(TestTimeout);
            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        }));
        _backend.Register("m", Echo());
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("m"));

        var inFlight = engine.Infer(EchoRequest("m", id: "old"));
        await started.Task.WaitAsync(TestTimeout);
        _repository.AddModel("m", 2);
        Assert.Null(await engine.LoadModelAsync("m").WaitAsync(TestTimeout));

        Assert.Equal("2", await engine.ServedVersion("m"));
        Assert.False(_backend.Model("m", 1).IsDisposed, "version 1 was disposed under a running request");
        Assert.Equal(1, engine.RetiringVersions);

        gate.SetResult();
        var result = await inFlight;
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("1", result.Response.ModelVersion);
        Assert.True(_backend.Model("m", 1).IsDisposed);
        Assert.Equal(0, engine.RetiringVersions);
    }

    [Fact]
    public async Task Requests_queued_on_a_retired_version_complete_on_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // One instance, no batching: the first request runs, the next two wait in version 1's queue.
        _repository.AddModel("m", 1).WriteConfig("m", """{"warmup": {"iterations": 0}, "max_batch_size": 0}""");
        _backend.Register("m", 1, FakeModelSpec.Custom(FakeModelSpec.Identity("x", "y", Augur.Tensors.DataType.Fp32, 1, 3).Signature, async call =>
        {
            started.TrySetResult();
            await gate.Task.WaitAsync(TestTimeout);
            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        }));
        _backend.Register("m", FakeModelSpec.Identity("x", "y", Augur.Tensors.DataType.Fp32, 1, 3));
        await using var engine = await ModelControlHarness.BuildAsync(_repository, _backend, ModelControlMode.Explicit, b => b.LoadModelsAtStartup("m"));

        var first = engine.Infer(EchoRequest("m"));
        await started.Task.WaitAsync(TestTimeout);
        var queued = new[] { engine.Infer(EchoRequest("m")), engine.Infer(EchoRequest("m")) };
        _repository.AddModel("m", 2);
        Assert.Null(await engine.LoadModelAsync("m").WaitAsync(TestTimeout));
        gate.SetResult();

        foreach (var result in await Task.WhenAll(queued.Prepend(first)))
        {
            Assert.True(result.IsSuccess, result.Error?.ToString());
            Assert.Equal("1", result.Response.ModelVersion);
        }

        Assert.True(_backend.Model("m", 1).IsDisposed);
    }
}
