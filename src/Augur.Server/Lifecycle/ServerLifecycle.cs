using Microsoft.Extensions.Hosting;

namespace Augur.Server.Lifecycle;

/// <summary>
/// Graceful shutdown, first step: on stop (SIGTERM, Ctrl+C) readiness turns 503 before anything else stops, and the
/// server keeps serving for <see cref="AugurServerOptions.ShutdownDelay"/> so load balancers see it and stop sending.
/// Then the engine stops waiting for peers (<see cref="InferenceEngine.StopWaitingForPeers"/>), so queued requests go
/// to the model at once instead of waiting out a batching delay, and Kestrel stops accepting connections and lets
/// requests in flight (queued ones included) finish within the host's shutdown timeout
/// (<see cref="AugurServerOptions.DrainTimeout"/>). Shared by every front door (REST, gRPC). The delay runs on the
/// engine's clock.
/// </summary>
public sealed class ServerLifecycle(AugurServerOptions options, InferenceEngine engine) : IHostedLifecycleService
{
    private int _draining;
    private int _stopping;

    /// <summary>True once shutdown began: readiness answers 503.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>Starts draining now (what a stop signal does); used by the host and by tests.</summary>
    public void BeginDrain() => Volatile.Write(ref _draining, 1);

    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDrain();

        // Once is enough: a host stopped again (say, stopped and then stopped on dispose) is no longer serving.
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            return;
        }

        if (options.ShutdownDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.ShutdownDelay, engine.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out during the delay: go on stopping.
            }
        }

        engine.StopWaitingForPeers();
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
