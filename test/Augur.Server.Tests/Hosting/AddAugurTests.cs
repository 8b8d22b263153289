using System.Diagnostics.Metrics;
using System.Net;
using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Server.Tests.Hosting;

/// <summary>
/// <c>services.AddAugur(engine =&gt; ...)</c> in a plain web application: the engine is built inside the container with the
/// host's clock, meter factory and logging, loads its models once the host has started (without holding start-up
/// back), and is disposed with the container.
/// </summary>
public sealed class AddAugurTests : IDisposable
{
    private const string Echo = """{"id": "r1", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]}]}""";
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;
    private readonly TempRepository _repository = new TempRepository().AddModel("echo");
    private readonly FakeBackend _fake = new FakeBackend().Register("echo", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 2));
    private readonly HeldLoadBackend _held;

    public AddAugurTests()
    {
        _held = new HeldLoadBackend(_fake);
    }

    public void Dispose()
    {
        _held.Release();
        _repository.Dispose();
    }

    [Fact]
    public async Task The_engine_runs_on_the_hosts_clock_meter_factory_and_logging()
    {
        var time = new FakeTimeProvider();
        await using var app = EmbeddedApp.Create(engine => engine.UseModelRepository(_repository.Path).AddBackend(_fake), host => host.Services.AddSingleton<TimeProvider>(time));
        var meterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meterFactory, InferenceEngine.MeterName, "augur.requests");

        await app.StartAsync();
        Assert.True(await app.Startup.Loaded.WaitAsync(Timeout));

        Assert.Same(time, app.Engine.TimeProvider);
        Assert.Same(meterFactory, app.Engine.Meter.Scope);
        Assert.Equal(HttpStatusCode.OK, (await app.InferAsync("echo", Echo)).Status);
        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(1, request.Value);
        Assert.Equal("echo", request.Tags["model"]);
        var loaded = Assert.Single(app.Logs.GetSnapshot(), log => log.Category == "Augur.Engine" && log.Id.Id == 1008);
        Assert.Equal($"Loaded 1 model(s) from {_repository.Path}, 1 ready", loaded.Message);
    }

    [Fact]
    public async Task Host_start_does_not_wait_for_the_models_and_readiness_turns_true_once_they_are_loaded()
    {
        await using var app = EmbeddedApp.Create(engine => engine.UseModelRepository(_repository.Path).AddBackend(_held));

        await app.StartAsync();
        await _held.LoadBegan.Task.WaitAsync(Timeout);

        Assert.Equal((HttpStatusCode.OK, "mine"), await app.GetAsync("/own"));
        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), await app.GetAsync("/v2/health/live"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"error":"the server is not ready: the engine is still loading its models"}"""), await app.GetAsync("/v2/health/ready"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"error":"model 'echo' is not ready: the engine is still loading its models"}"""), await app.InferAsync("echo", Echo));
        Assert.False(app.Startup.Loaded.IsCompleted);

        _held.Release();

        Assert.True(await app.Startup.Loaded.WaitAsync(Timeout));
        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), await app.GetAsync("/v2/health/ready"));
        Assert.Equal(
            (HttpStatusCode.OK, """{"model_name":"echo","model_version":"1","id":"r1","outputs":[{"name":"y","datatype":"FP32","shape":[1,2],"data":[1,2]}]}"""),
            await app.InferAsync("echo", Echo));
    }

    [Fact]
    public async Task Stopping_the_host_during_the_load_cancels_it()
    {
        var app = EmbeddedApp.Create(engine => engine.UseModelRepository(_repository.Path).AddBackend(_held));
        await app.StartAsync();
        await _held.LoadBegan.Task.WaitAsync(Timeout);
        var engine = app.Engine;

        await app.App.StopAsync().WaitAsync(Timeout);

        Assert.False(await app.Startup.Loaded.WaitAsync(Timeout));
        Assert.False(engine.IsStarted);
        Assert.Empty(engine.Models);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_container_disposes_the_engine_when_the_host_is_disposed()
    {
        var app = EmbeddedApp.Create(engine => engine.UseModelRepository(_repository.Path).AddBackend(_fake));
        await app.StartAsync();
        Assert.True(await app.Startup.Loaded.WaitAsync(Timeout));
        var engine = app.Engine;
        var model = _fake.Model("echo");

        await app.App.StopAsync().WaitAsync(Timeout);
        Assert.False(model.IsDisposed);
        await app.DisposeAsync();

        Assert.True(model.IsDisposed);
        Assert.Equal(model.InstancesCreated, model.InstancesDisposed);
        Assert.False(engine.IsReady);
        var result = await engine.TryInferAsync(new InferenceRequest("echo", [InferenceTensor.Create("x", new[] { 1f, 2f }, 1, 2)])).AsTask().WaitAsync(Timeout);
        Assert.Equal(ErrorCode.Unavailable, result.Error!.Code);
        Assert.Equal("the engine is shutting down", result.Error.Message);
    }

    [Fact]
    public async Task A_repository_that_does_not_exist_is_logged_and_stops_the_host()
    {
        var missing = Path.Combine(_repository.Path, "missing");
        await using var app = EmbeddedApp.Create(engine => engine.UseModelRepository(missing).AddBackend(_fake));
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.App.Lifetime.ApplicationStopping.Register(stopping.SetResult);

        await app.StartAsync();

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => app.Startup.Loaded.WaitAsync(Timeout));
        await stopping.Task.WaitAsync(Timeout);
        var failure = Assert.Single(app.Logs.GetSnapshot(), log => log.Id.Id == 2003);
        Assert.Equal(LogLevel.Critical, failure.Level);
        Assert.Equal($"Augur could not load the models of {missing}; the host stops", failure.Message);
        Assert.IsType<DirectoryNotFoundException>(failure.Exception);
    }

    [Fact]
    public async Task Two_hosts_in_one_process_each_export_only_their_own_engines_metrics()
    {
        using var otherRepository = new TempRepository().AddModel("echo");
        var otherBackend = new FakeBackend().Register("echo", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 2));
        await using var one = EmbeddedApp.Create(engine => engine.UseModelRepository(_repository.Path).AddBackend(_fake));
        await using var two = EmbeddedApp.Create(engine => engine.UseModelRepository(otherRepository.Path).AddBackend(otherBackend));
        await one.StartAsync();
        await two.StartAsync();
        Assert.True(await one.Startup.Loaded.WaitAsync(Timeout));
        Assert.True(await two.Startup.Loaded.WaitAsync(Timeout));

        Assert.Equal(HttpStatusCode.OK, (await one.InferAsync("echo", Echo)).Status);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await two.InferAsync("echo", Echo)).Status);
        }

        Assert.Equal(["1"], Samples((await one.GetAsync("/metrics")).Body, "augur_requests_total"));
        Assert.Equal(["2"], Samples((await two.GetAsync("/metrics")).Body, "augur_requests_total"));
        Assert.Equal(["1"], Samples((await one.GetAsync("/metrics")).Body, "augur_instances"));
        // The engine's bucket advice reaches the exporter on this path too: 100 µs is its first bucket.
        Assert.Contains((await one.GetAsync("/metrics")).Body.Split('\n'), line => line.StartsWith("augur_request_duration_seconds_bucket{", StringComparison.Ordinal) && line.Contains("le=\"0.0001\"", StringComparison.Ordinal));
    }

    [Fact]
    public void AddAugur_twice_is_refused()
    {
        var services = new ServiceCollection();
        services.AddAugur(engine => engine.UseModelRepository(_repository.Path).AddBackend(_fake));

        var refused = Assert.Throws<InvalidOperationException>(() => services.AddAugur(engine => engine.UseModelRepository(_repository.Path).AddBackend(_fake)));

        Assert.Equal("AddAugur was already called on these services; a host serves one engine.", refused.Message);
    }

    /// <summary>The values of every sample of <paramref name="metric"/> (any labels) on a Prometheus page.</summary>
    private static string[] Samples(string page, string metric) => page.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal))
        .Select(line => line[(line.LastIndexOf(' ') + 1)..])
        .ToArray();
}
