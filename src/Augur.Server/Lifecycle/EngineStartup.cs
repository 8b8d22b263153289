using Augur.Server.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Server.Lifecycle;

/// <summary>
/// Loads the models of the engine that <c>AddAugur(engine =&gt; ...)</c> built (<see cref="InferenceEngine.StartAsync"/>)
/// once the host has started, in the background: host start does not wait for it. Every hosted service has started by
/// then, Kestrel included, so the ports are bound and the host's own endpoints and <c>/v2/health/live</c> answer while
/// the models load; <c>/v2/health/ready</c> and the gRPC health service say not ready until they are loaded.
/// </summary>
/// <remarks>
/// A host stopping during the load cancels it. A load that fails (the repository folder does not exist) is logged and
/// stops the host: a server that can never serve its models should not look alive. Await <see cref="Loaded"/> to act
/// when the models are in.
/// </remarks>
public sealed class EngineStartup : IHostedLifecycleService
{
    private readonly InferenceEngine _engine;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<bool> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _load = Task.CompletedTask;

    internal EngineStartup(InferenceEngine engine, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    {
        _engine = engine;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger<EngineStartup>();
    }

    /// <summary>
    /// Completes when the start-up load ends: true once the models are loaded (those that failed are reported by
    /// <see cref="InferenceEngine.Models"/>), false when the host began stopping first. Faults with the load's exception
    /// when the load failed. Pending until the host has started.
    /// </summary>
    public Task<bool> Loaded => _loaded.Task;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A backend may load synchronously (ONNX Runtime builds its sessions on the calling thread): off the host's
        // start-up thread, so start-up completes now.
        _load = Task.Run(() => LoadAsync(_lifetime.ApplicationStopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken stopping)
    {
        try
        {
            await _engine.StartAsync(stopping).ConfigureAwait(false);
            _loaded.TrySetResult(true);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _loaded.TrySetResult(false);
        }
        catch (Exception ex)
        {
            ServerLog.ModelLoadFailed(_logger, _engine.Repository ?? "(none)", ex);
            _loaded.TrySetException(ex);
            _lifetime.StopApplication();
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping has cancelled a load still under way; it ends (releasing what it loaded) before the
        // container disposes the engine, unless the shutdown timeout runs out first.
        try
        {
            await _load.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time: the engine's disposal cancels what is left of the load.
        }
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
