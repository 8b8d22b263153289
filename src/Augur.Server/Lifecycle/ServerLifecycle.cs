using Microsoft.Extensions.Hosting;

namespace Augur.Server.Lifecycle;

/// <summary>
/// Graceful shutdown, first step: on stop (SIGTERM, Ctrl+C) readiness turns 503 before anything else stops, and the
/// server keeps serving for <see cref="AugurServerOptions.ShutdownDelay"/> so load balancers see it and stop sending.
/// Then Kestrel stops accepting connections and lets requests in flight (queued ones included) finish within the
/// host's shutdown timeout (<see cref="AugurServerOptions.DrainTimeout"/>). Shared by every front door (REST, gRPC).
/// </summary>
public sealed class ServerLifecycle(AugurServerOptions options, TimeProvider time) : IHostedLifecycleService
{
    private int _draining;

    /// <summary>True once shutdown began: readiness answers 503.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>Starts draining now (what a stop signal does); used by the host and by tests.</summary>
    public void BeginDrain() => Volatile.Write(ref _draining, 1);

    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        if (options.ShutdownDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.ShutdownDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out during the delay: go on stopping.
            }
        }
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
