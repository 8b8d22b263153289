using System.Net.Sockets;
using Augur.Workers.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Hosting;

/// <summary>
/// The worker's batch socket (see <c>Protos/worker.proto</c>): a Unix socket beside the gRPC one on which the engine
/// sends Execute as length-prefixed protobuf frames, without HTTP/2. Each accepted connection is a
/// <see cref="BatchConnection"/>; stopping lets running batches answer (up to the drain), then closes every connection.
/// </summary>
internal sealed class BatchSocketListener
{
    private readonly Socket _socket;
    private readonly WorkerModel _model;
    private readonly ILogger _logger;
    private readonly HashSet<BatchConnection> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private bool _stopping;
    private long _batches;

    private BatchSocketListener(string path, Socket socket, WorkerModel model, ILogger logger)
    {
        Path = path;
        _socket = socket;
        _model = model;
        _logger = logger;
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>Batches received so far, over every connection (for tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Listens on <paramref name="path"/> (which must be free) and starts accepting.</summary>
    public static BatchSocketListener Start(WorkerEndpoint endpoint, string path, WorkerModel model, ILogger logger)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen();
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new WorkerStartupException($"cannot listen on {endpoint}: its batch socket '{path}' could not be bound ({ex.Message})", ex);
        }

        var listener = new BatchSocketListener(path, socket, model, logger);
        listener._accepting = listener.AcceptAsync();
        return listener;
    }

    public void Counted() => Interlocked.Increment(ref _batches);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket accepted;
            try
            {
                // Accepted sockets start in blocking mode (accept4 does not pass O_NONBLOCK on), as BatchConnection wants them.
                accepted = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException && Volatile.Read(ref _stopping))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors, say: the engine's connect fails and it reports the worker unavailable; try again shortly.
                WorkerLog.BatchAcceptFailed(_logger, _model.Name, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                continue;
            }

            var connection = new BatchConnection(accepted, _model, this, _logger);
            lock (_connections)
            {
                if (_stopping)
                {
                    accepted.Dispose();
                    return;
                }

                _connections.Add(connection);
            }

            _ = connection.Finished.ContinueWith(_ => Forget(connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            connection.Start();
        }
    }

    private void Forget(BatchConnection connection)
    {
        lock (_connections)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>
    /// Stops accepting and removes the socket file; lets each running batch answer until <paramref name="drain"/> fires, then
    /// closes every connection (cancelling what still runs) and returns once their batches have returned.
    /// </summary>
    public async Task StopAsync(CancellationToken drain)
    {
        BatchConnection[] open;
        lock (_connections)
        {
            Volatile.Write(ref _stopping, true);
            open = [.. _connections];
        }

        // Closing the listener ends the accept loop; .NET removes the socket file it bound.
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        DeleteSocketFile();
        foreach (var connection in open)
        {
            connection.StopWhenIdle();
        }

        var finished = Task.WhenAll(open.Select(c => c.Finished));
        try
        {
            await finished.WaitAsync(drain).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var connection in open)
            {
                connection.Abort();
            }

            await finished.ConfigureAwait(false);
        }
    }

    private void DeleteSocketFile()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Its folder went first: nothing is left to remove.
        }
    }
}
