using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Augur.Server.Tests.Scheduling;

/// <summary>
/// A real server on 127.0.0.1, port 0, serving one fake model, "gated" (input x FP32 [-1,3] echoed as y), whose
/// batches wait until the test opens the gate. With one instance, the first request holds it and the next ones queue.
/// </summary>
public sealed class GatedServer : IAsyncDisposable
{
    public const string Model = "gated";

    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _started = new();
    private WebApplication? _app;
    private InferenceEngine? _engine;
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatedServer()
    {
    }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A gRPC channel to the server's gRPC endpoint.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Completes when the first batch is running.</summary>
    public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The ids of the requests each batch ran, in order.</summary>
    public IReadOnlyList<string[]> Batches => _backend.Model(Model).Calls.Select(c => c.Batch.Select(r => r.Id ?? "(no id)").ToArray()).ToArray();

    /// <summary>Starts a server whose model has <paramref name="batchingJson"/> as its dynamic_batching setting.</summary>
    public static async Task<GatedServer> StartAsync(string batchingJson, string? metricsPath = "/metrics")
    {
        var server = new GatedServer();
        server._repository.AddModel(Model).WriteConfig(Model, $$"""{"max_batch_size": 8, "warmup": {"iterations": 0}, "dynamic_batching": {{batchingJson}}}""");
        server._backend.Register(Model, FakeModelSpec.Custom(FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3).Signature, async call =>
        {
            server.FirstStarted.TrySetResult();
            await server._gate.Task.WaitAsync(ServerFixture.Timeout);
            return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
        }));
        server._engine = await new InferenceEngineBuilder().UseModelRepository(server._repository.Path).AddBackend(server._backend).BuildAsync().WaitAsync(ServerFixture.Timeout);
        server._app = AugurHost.Create(server._engine, IPAddress.Loopback, 0, options => options.MetricsPath = metricsPath, grpcPort: 0);
        var address = await AugurHost.StartAsync(server._app).WaitAsync(ServerFixture.Timeout);
        server.Client = new HttpClient { BaseAddress = address, Timeout = ServerFixture.Timeout };
        server.Channel = GrpcChannel.ForAddress(AugurHost.GetGrpcAddress(server._app)!);
        return server;
    }

    public void OpenGate() => _gate.TrySetResult();

    /// <summary>A JSON infer body for one sample, with request <paramref name="id"/> and optional parameters.</summary>
    public static string Body(string id, string parameters = "{}") =>
        $$"""{"id": "{{id}}", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}], "parameters": {{parameters}}}""";

    public async Task<HttpResponseMessage> PostAsync(string body, CancellationToken cancellationToken = default) =>
        await Client.PostAsync($"/v2/models/{Model}/infer", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);

    public async Task<string> MetricsAsync() => await Client.GetStringAsync("/metrics");

    public async ValueTask DisposeAsync()
    {
        OpenGate();
        Client?.Dispose();
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        _repository.Dispose();
    }
}
