using System.Net;
using Augur.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Augur.Server.Tests;

/// <summary>
/// A started Augur host for fixtures: ONNX Runtime over a repository folder, REST and gRPC on 127.0.0.1 (port 0), an
/// HTTP client and a gRPC channel. Disposing stops the host, releases the engine and deletes the folder.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(string repository, InferenceEngine engine, WebApplication app, Uri baseAddress)
    {
        Repository = repository;
        Engine = engine;
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = ServerFixture.Timeout };
        GrpcAddress = AugurHost.GetGrpcAddress(app)!;
        Channel = GrpcChannel.ForAddress(GrpcAddress);
    }

    public string Repository { get; }

    public InferenceEngine Engine { get; }

    public HttpClient Client { get; }

    public Uri BaseAddress { get; }

    /// <summary>The gRPC (HTTP/2 cleartext) endpoint, on its own port.</summary>
    public Uri GrpcAddress { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Loads <paramref name="repository"/> (already written) and starts serving it; <paramref name="engineBuilder"/> adds to the engine's setup.</summary>
    public static async Task<TestHost> StartAsync(string repository, Action<AugurServerOptions>? configure = null, Action<InferenceEngineBuilder>? engineBuilder = null)
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var builder = new InferenceEngineBuilder().UseModelRepository(repository).UseOnnxRuntime();
        engineBuilder?.Invoke(builder);
        var engine = await builder.BuildAsync(startup.Token);
        var app = AugurHost.Create(engine, IPAddress.Loopback, 0, configure, grpcPort: 0);
        var address = await AugurHost.StartAsync(app, startup.Token);
        return new TestHost(repository, engine, app, address);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Channel.Dispose();
        using (var shutdown = new CancellationTokenSource(ServerFixture.Timeout))
        {
            await _app.StopAsync(shutdown.Token);
        }

        await _app.DisposeAsync();
        await Engine.DisposeAsync();
        try
        {
            Directory.Delete(Repository, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder must not fail the run.
        }
    }
}
