using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Augur.Models;
using Augur.Server.Lifecycle;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>
/// A real server on 127.0.0.1, port 0, over a temporary repository of fake models (input x FP32 [-1,3] echoed as y),
/// with model control and server options chosen by the test.
/// </summary>
public sealed class LifecycleServer : IAsyncDisposable
{
    public const string InferenceKey = "inference-key-0123456789";
    public const string AdminKey = "admin-key-0123456789abcdef";

    private WebApplication? _app;

    private LifecycleServer()
    {
    }

    public TempRepository Repository { get; } = new();

    public FakeBackend Backend { get; } = new();

    public InferenceEngine Engine { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>A channel to the gRPC endpoint when the server was started with <c>grpc: true</c>; otherwise null.</summary>
    public GrpcChannel? Channel { get; private set; }

    public ServerLifecycle Lifecycle => _app!.Services.GetRequiredService<ServerLifecycle>();

    public WebApplication App => _app!;

    /// <summary>Starts a server; <paramref name="prepare"/> fills the repository and registers fake models first.</summary>
    public static async Task<LifecycleServer> StartAsync(
        Action<LifecycleServer> prepare,
        ModelControlMode mode = ModelControlMode.Explicit,
        Action<AugurServerOptions>? configure = null,
        Action<InferenceEngineBuilder>? engine = null,
        HttpMessageHandler? handler = null,
        bool grpc = false)
    {
        var server = new LifecycleServer();
        try
        {
            prepare(server);
            var builder = new InferenceEngineBuilder().UseModelRepository(server.Repository.Path).AddBackend(server.Backend)
                .UseModelControl(mode, TimeSpan.FromDays(1)).LoadModelsAtStartup("*");
            engine?.Invoke(builder);
            server.Engine = await builder.BuildAsync().WaitAsync(ServerFixture.Timeout);
            server._app = AugurHost.Create(server.Engine, IPAddress.Loopback, 0, configure, grpcPort: grpc ? 0 : null);
            server.Address = await AugurHost.StartAsync(server._app).WaitAsync(ServerFixture.Timeout);
            if (AugurHost.GetGrpcAddress(server._app) is { } grpcAddress)
            {
                server.Channel = GrpcChannel.ForAddress(grpcAddress);
            }

            server.Client = handler is null ? new HttpClient() : new HttpClient(handler);
            server.Client.BaseAddress = server.Address;
            server.Client.Timeout = ServerFixture.Timeout;
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds model <paramref name="model"/> version <paramref name="version"/> (an echo model unless registered otherwise).</summary>
    public LifecycleServer AddEcho(string model, long version = 1)
    {
        Repository.AddModel(model, version);
        Backend.Register(model, FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3));
        return this;
    }

    public static StringContent InferBody(string id = "r") =>
        new($$"""{"id": "{{id}}", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""", Encoding.UTF8, "application/json");

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with an optional key in <paramref name="header"/> ("bearer" or "x-api-key").</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? key = null, string header = "bearer", HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content ?? (method == HttpMethod.Post ? InferBody() : null) };
        if (key is not null)
        {
            if (header == "bearer")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.Add("X-Api-Key", key);
            }
        }

        var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Channel?.Dispose();
        if (_app is not null)
        {
            // Bounded: a stop that hangs (say, in a shutdown delay on a fake clock) is cut short, not waited for.
            using (var shutdown = new CancellationTokenSource(ServerFixture.Timeout))
            {
                await _app.StopAsync(shutdown.Token);
            }

            await _app.DisposeAsync();
        }

        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        Repository.Dispose();
    }
}
