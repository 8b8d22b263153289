using System.Net;
using Augur.Server;
using Microsoft.AspNetCore.Builder;

namespace Augur.Bench.Tests;

/// <summary>
/// Augur serving a temporary repository over ONNX Runtime on 127.0.0.1 (REST and gRPC, port 0) for real bench runs;
/// disposing stops it and deletes the repository.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository;
    private readonly InferenceEngine _engine;
    private readonly WebApplication _app;

    private LocalServer(string repository, InferenceEngine engine, WebApplication app, Uri url)
    {
        _repository = repository;
        _engine = engine;
        _app = app;
        Url = url;
        Grpc = AugurHost.GetGrpcAddress(app)!;
    }

    /// <summary>The engine the server runs.</summary>
    public InferenceEngine Engine => _engine;

    /// <summary>The REST address.</summary>
    public Uri Url { get; }

    /// <summary>The gRPC address.</summary>
    public Uri Grpc { get; }

    /// <summary>Writes a temporary repository with <paramref name="write"/> and serves it.</summary>
    public static async Task<LocalServer> StartAsync(Action<string> write)
    {
        var repository = Directory.CreateTempSubdirectory("augur-bench-tests-").FullName;
        write(repository);
        using var startup = new CancellationTokenSource(Timeout);
        var engine = await new InferenceEngineBuilder().UseModelRepository(repository).UseOnnxRuntime().BuildAsync(startup.Token);
        var app = AugurHost.Create(engine, IPAddress.Loopback, 0, grpcPort: 0);
        return new LocalServer(repository, engine, app, await AugurHost.StartAsync(app, startup.Token));
    }

    public async ValueTask DisposeAsync()
    {
        using (var shutdown = new CancellationTokenSource(Timeout))
        {
            await _app.StopAsync(shutdown.Token);
        }

        await _app.DisposeAsync();
        await _engine.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }
}
