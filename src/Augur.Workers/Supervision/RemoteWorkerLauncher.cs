namespace Augur.Workers.Supervision;

/// <summary>Reaches a worker started elsewhere (a sidecar container) at its endpoint, and checks that it answers.</summary>
internal sealed class RemoteWorkerLauncher(WorkerSlot slot, WorkerEndpoint endpoint, Func<WorkerEndpoint, IWorkerConnection> connect, TimeProvider time) : IWorkerLauncher
{
    public string Describe => $"{slot.Describe} at {endpoint}";

    public async Task<LiveWorker> LaunchAsync(CancellationToken cancellationToken)
    {
        var connection = connect(endpoint);
        try
        {
            using var timeout = new CancellationTokenSource(slot.Settings.CallTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await connection.PingAsync(linked.Token).ConfigureAwait(false);
            return new LiveWorker(null, connection, time.GetTimestamp());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the worker at {endpoint} does not answer: {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
