using System.Net.Sockets;
using System.Text.Json;
using Augur.Backends;
using Augur.Workers.Diagnostics;
using Augur.Workers.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Hosting;

/// <summary>
/// A model worker: loads one model version with a backend (the same backend code that serves in-process), creates one
/// instance and serves <c>augur.worker.v1.ModelWorker</c> (Describe, Execute, Health) on a Unix socket or a TCP address,
/// over HTTP/2 cleartext; on a Unix socket, Execute also on its batch socket (<see cref="BatchSocketListener"/>).
/// <c>augur worker</c> runs one in its own process; tests host one in theirs.
/// </summary>
/// <remarks>
/// The host reads no configuration or environment variables and does not handle signals: its owner decides when it
/// stops (<see cref="DisposeAsync"/>).
/// </remarks>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerModel _model;
    private readonly BatchSocketListener? _batchSocket;
    private readonly WorkerHostOptions _options;
    private readonly ILogger _logger;
    private int _disposed;

    private WorkerHost(WebApplication app, WorkerModel model, BatchSocketListener? batchSocket, WorkerHostOptions options, WorkerEndpoint endpoint, ILogger logger)
    {
        _app = app;
        _model = model;
        _batchSocket = batchSocket;
        _options = options;
        _logger = logger;
        Endpoint = endpoint;
    }

    /// <summary>Where the worker listens, with a TCP port 0 resolved to the port it got.</summary>
    public WorkerEndpoint Endpoint { get; }

    /// <summary>The worker's model and instance (for tests).</summary>
    internal WorkerModel Model => _model;

    /// <summary>The batch socket, at the Unix socket's path + <c>.batch</c>; null for a TCP endpoint (for tests).</summary>
    internal BatchSocketListener? BatchSocket => _batchSocket;

    /// <summary>The loaded model's signature.</summary>
    public Models.ModelSignature Signature => _model.Signature;

    /// <summary>
    /// Loads the model, creates its instance and starts listening; returns once the worker answers. Throws
    /// <see cref="WorkerStartupException"/>, with a one-line message, when the folder is missing or holds no model the
    /// backend loads, the model fails to load, or the endpoint cannot be listened on. A stale socket file at the
    /// endpoint (its worker was killed and nobody listens on it) is replaced; see <see cref="SocketPathClaim"/>. On a
    /// Unix socket the worker also listens on its batch socket, at the socket's path + <c>.batch</c>, claimed the same way.
    /// </summary>
    public static async Task<WorkerHost> StartAsync(IModelBackend backend, WorkerHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        var logger = options.LoggerFactory.CreateLogger("Augur.Workers");
        // Before the model loads: a socket path that cannot be used fails the start at once, and as its only line.
        if (options.Endpoint.IsUnixSocket)
        {
            await ClaimSocketPathAsync(options.Endpoint, logger, cancellationToken).ConfigureAwait(false);
        }

        var batchSocketPath = await ClaimBatchSocketPathAsync(options, logger, cancellationToken).ConfigureAwait(false);
        var model = await LoadAsync(backend, options, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var app = Build(model, options);
            BatchSocketListener? batchSocket = null;
            try
            {
                if (batchSocketPath is not null)
                {
                    batchSocket = BatchSocketListener.Start(options.Endpoint, batchSocketPath, model, logger);
                    model.Description.BatchSocket = batchSocketPath;
                }

                var endpoint = await ListenAsync(app, options.Endpoint, cancellationToken).ConfigureAwait(false);
                WorkerLog.Listening(logger, options.ModelName, options.Version, endpoint.ToString());
                if (batchSocket is not null)
                {
                    WorkerLog.BatchSocket(logger, options.ModelName, options.Version, batchSocket.Path);
                }

                return new WorkerHost(app, model, batchSocket, options, endpoint, logger);
            }
            catch
            {
                if (batchSocket is not null)
                {
                    await batchSocket.StopAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await model.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task ClaimSocketPathAsync(WorkerEndpoint endpoint, ILogger logger, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(endpoint.SocketPath)!;
        return Directory.Exists(folder)
            ? SocketPathClaim.ClaimAsync(endpoint, logger, cancellationToken)
            : throw new WorkerStartupException($"cannot listen on {endpoint}: the folder '{folder}' does not exist");
    }

    /// <summary>
    /// The batch socket's path, claimed: the Unix socket's path + <c>.batch</c>. Null, with a warning, where there can be
    /// none (a path too long for a socket address, a system other than Linux): the engine then sends batches over gRPC.
    /// </summary>
    private static async Task<string?> ClaimBatchSocketPathAsync(WorkerHostOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var endpoint = options.Endpoint;
        if (!endpoint.IsUnixSocket)
        {
            return null;
        }

        var problem = !PeerClosedWatch.IsSupported ? "it needs Linux" : BatchFrame.CheckSocketPath(endpoint.SocketPath);
        if (problem is not null)
        {
            WorkerLog.NoBatchSocket(logger, options.ModelName, options.Version, problem);
            return null;
        }

        var path = BatchFrame.SocketPathFor(endpoint.SocketPath);
        await SocketPathClaim.ClaimAsync(endpoint, path, logger, cancellationToken).ConfigureAwait(false);
        return path;
    }

    private static async Task<WorkerModel> LoadAsync(IModelBackend backend, WorkerHostOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(options.ModelDirectory);
        var what = $"model '{options.ModelName}' version {options.Version}";
        if (!Directory.Exists(directory))
        {
            throw new WorkerStartupException($"the model folder '{directory}' does not exist");
        }

        if (!backend.CanLoad(directory))
        {
            throw new WorkerStartupException($"the model folder '{directory}' holds no {backend.ExpectedFiles} for the {backend.Name} backend");
        }

        var started = options.Time.GetTimestamp();
        // A worker runs one instance of the model, whatever instance_count says (the server starts one worker per instance).
        var context = new ModelLoadContext(options.ModelName, options.Version, directory, options.Config with { InstanceCount = 1 }, options.LoggerFactory, options.Time)
        {
            // The worker runs the model itself: its section is the one of the backend that runs the file.
            Settings = options.Config.BackendSettings.TryGetValue(backend.Name, out var section) ? section : default(JsonElement),
            Backend = backend.Name,
        };
        IModel loaded;
        try
        {
            loaded = await backend.LoadAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new WorkerStartupException($"{what} could not be loaded: {ex.Message}", ex);
        }

        IModelInstance instance;
        try
        {
            instance = await loaded.CreateInstanceAsync(0, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await loaded.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new WorkerStartupException($"{what} loaded but its instance could not be created: {ex.Message}", ex);
        }

        WorkerLog.Loaded(logger, options.ModelName, options.Version, backend.Name, (long)options.Time.GetElapsedTime(started).TotalMilliseconds);
        return new WorkerModel(options.ModelName, options.Version, backend.Platform, options.Config.MaxBatchSize, loaded, instance, options.Time, logger);
    }

    private static WebApplication Build(WorkerModel model, WorkerHostOptions options)
    {
        // The empty builder reads no appsettings.json and no ASPNETCORE_* variables: a worker inherits its parent's
        // environment, and nothing in it should move the worker's endpoint or logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.Services.AddSingleton<IHostLifetime, OwnerLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton<ModelWorkerService>();
        builder.Services.AddGrpc(grpc =>
        {
            // The engine enforces the request size limits before a batch gets here; a batch of large tensors is one message.
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            // The one connection from the engine stays open however long the model is idle.
            kestrel.Limits.KeepAliveTimeout = Timeout.InfiniteTimeSpan;
            // Batches of large tensors go in one window instead of waiting for window updates.
            kestrel.Limits.Http2.InitialConnectionWindowSize = WorkerWindows.Connection;
            kestrel.Limits.Http2.InitialStreamWindowSize = WorkerWindows.Stream;
            var endpoint = options.Endpoint;
            Action<ListenOptions> http2 = listen => listen.Protocols = HttpProtocols.Http2;
            if (endpoint.IsUnixSocket)
            {
                kestrel.ListenUnixSocket(endpoint.SocketPath, http2);
            }
            else
            {
                kestrel.Listen(endpoint.Address, endpoint.Port, http2);
            }
        });

        var app = builder.Build();
        app.MapGrpcService<ModelWorkerService>();
        return app;
    }

    private static async Task<WorkerEndpoint> ListenAsync(WebApplication app, WorkerEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FindSocketError(ex) is { } error)
        {
            throw new WorkerStartupException($"cannot listen on {endpoint}: {Describe(error)}", ex);
        }
        catch (IOException ex)
        {
            throw new WorkerStartupException($"cannot listen on {endpoint}: {ex.Message}", ex);
        }

        if (endpoint.IsUnixSocket || endpoint.Port != 0)
        {
            return endpoint;
        }

        var server = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        var address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return endpoint.WithPort(new Uri(address).Port);
    }

    private static SocketException? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    private static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "the address is in use; stop the other process or pick another port (0 picks a free one)",
        SocketError.AddressNotAvailable => "that address is not one of this machine's; give 127.0.0.1 or another address of the machine",
        SocketError.AccessDenied => "listening there is not permitted (ports below 1024 and some folders need privileges)",
        _ => error.Message,
    };

    /// <summary>
    /// Stops listening, lets a running batch finish (up to <see cref="WorkerHostOptions.DrainTimeout"/>, then cancels it),
    /// disposes the instance and the model, and removes the socket files.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        WorkerLog.Stopping(_logger, _options.ModelName, _options.Version);
        try
        {
            // Both doors drain at once, within the same deadline.
            using var drain = new CancellationTokenSource(_options.DrainTimeout);
            var batches = _batchSocket?.StopAsync(drain.Token) ?? Task.CompletedTask;
            await Task.WhenAll(batches, _app.StopAsync(drain.Token)).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _model.DisposeAsync().ConfigureAwait(false);
            if (Endpoint.IsUnixSocket)
            {
                DeleteSocketFile(Endpoint.SocketPath);
            }
        }
    }

    private static void DeleteSocketFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Its folder went first (a temp folder removed by the owner): nothing is left to remove.
        }
    }

    // The owner (augur worker's signal handlers, a test) stops the host; it registers no Ctrl+C or SIGTERM handler of its own.
    private sealed class OwnerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
