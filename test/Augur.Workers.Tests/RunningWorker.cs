using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.Workers.Client;
using Augur.Workers.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Tests;

/// <summary>How a test's client sends batches to a worker on a Unix socket.</summary>
public enum Transport
{
    /// <summary>The worker's batch socket (the default).</summary>
    BatchSocket,

    /// <summary>gRPC Execute calls (<see cref="WorkerClientOptions.UseBatchSocket"/> false).</summary>
    Grpc,
}

/// <summary>
/// A <see cref="WorkerHost"/> hosted in the test process on a Unix socket in a fresh temp folder (or on TCP port 0), with
/// a <see cref="WorkerClient"/> connected to it (batches over <see cref="Transport"/>); both disposed, and the folder
/// deleted, on dispose.
/// </summary>
internal sealed class RunningWorker : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private RunningWorker(TempFolder folder, WorkerHost host, WorkerClient client)
    {
        Folder = folder;
        Host = host;
        Client = client;
    }

    public TempFolder Folder { get; }

    public WorkerHost Host { get; }

    public WorkerClient Client { get; }

    /// <summary>Writes <paramref name="model"/> as <c>model.onnx</c> and serves it with the ONNX Runtime backend.</summary>
    public static Task<RunningWorker> StartOnnxAsync(string name, byte[] model, ModelConfig? config = null, bool tcp = false, Transport transport = Transport.BatchSocket)
    {
        var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.ModelDirectory, OnnxRuntimeBackend.ModelFileName), model);
        return StartAsync(folder, new OnnxRuntimeBackend(new OnnxRuntimeOptions()), name, config, tcp, transport);
    }

    /// <summary>Serves the fake backend's model <paramref name="name"/> (registered by the caller).</summary>
    public static Task<RunningWorker> StartFakeAsync(
        Augur.Testing.Fakes.FakeBackend backend, string name, TimeSpan? drainTimeout = null, Transport transport = Transport.BatchSocket, ILoggerFactory? logs = null)
    {
        var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.ModelDirectory, Augur.Testing.Fakes.FakeBackend.FileName), "{}");
        return StartAsync(folder, backend, name, null, tcp: false, transport, drainTimeout, logs);
    }

    /// <summary>Batches the worker took on its batch socket (0 on TCP, which has none).</summary>
    public long BatchSocketBatches => Host.BatchSocket?.Batches ?? 0;

    private static async Task<RunningWorker> StartAsync(
        TempFolder folder, IModelBackend backend, string name, ModelConfig? config, bool tcp, Transport transport, TimeSpan? drainTimeout = null, ILoggerFactory? logs = null)
    {
        try
        {
            var host = await WorkerHost.StartAsync(backend, new WorkerHostOptions
            {
                ModelDirectory = folder.ModelDirectory,
                ModelName = name,
                Version = 1,
                Endpoint = tcp ? WorkerEndpoint.Tcp(System.Net.IPAddress.Loopback, 0) : WorkerEndpoint.UnixSocket(folder.SocketPath),
                Config = config ?? ModelConfig.Empty,
                DrainTimeout = drainTimeout ?? TimeSpan.FromSeconds(5),
                LoggerFactory = logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            }).WaitAsync(Timeout);
            return new RunningWorker(folder, host, WorkerClient.Create(host.Endpoint, new WorkerClientOptions { UseBatchSocket = transport == Transport.BatchSocket }));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Folder.Dispose();
    }
}

/// <summary>A fresh temp folder holding a model version folder and room for a socket; deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("augur-w-").FullName;
        ModelDirectory = System.IO.Path.Combine(Path, "1");
        Directory.CreateDirectory(ModelDirectory);
    }

    public string Path { get; }

    /// <summary>An empty version folder, <c>{Path}/1</c>.</summary>
    public string ModelDirectory { get; }

    /// <summary>A socket path in the folder, not yet created.</summary>
    public string SocketPath => System.IO.Path.Combine(Path, "w.sock");

    /// <summary>The batch socket path of a worker at <see cref="SocketPath"/>.</summary>
    public string BatchSocketPath => SocketPath + ".batch";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the runtime; the temp folder is cleaned by the OS.
        }
    }
}
