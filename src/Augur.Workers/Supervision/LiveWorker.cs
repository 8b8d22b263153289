namespace Augur.Workers.Supervision;

/// <summary>
/// A worker that is up: its process (null for one started elsewhere), the connection to it, when it started, and a
/// token cancelled the moment it is known to be gone, which ends its in-flight call at once.
/// </summary>
internal sealed class LiveWorker(WorkerProcess? process, IWorkerConnection connection, long startedAt) : IAsyncDisposable
{
    private readonly CancellationTokenSource _gone = new();

    public WorkerProcess? Process { get; } = process;

    public IWorkerConnection Connection { get; } = connection;

    /// <summary>The timestamp (of the engine's clock) at which it was ready.</summary>
    public long StartedAt { get; } = startedAt;

    public CancellationToken Gone => _gone.Token;

    public bool IsGone => _gone.IsCancellationRequested;

    /// <summary>Marks it gone (cancelling its in-flight call); true for the first caller only.</summary>
    public bool MarkGone()
    {
        lock (_gone)
        {
            if (_gone.IsCancellationRequested)
            {
                return false;
            }

            _gone.Cancel();
            return true;
        }
    }

    /// <summary>Closes the connection and ends the process (if it is ours), waiting until it is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        MarkGone();
        await Connection.DisposeAsync().ConfigureAwait(false);
        if (Process is not null)
        {
            await Process.DisposeAsync().ConfigureAwait(false);
        }

        _gone.Dispose();
    }
}
