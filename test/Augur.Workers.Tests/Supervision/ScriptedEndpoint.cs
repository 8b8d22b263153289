using System.Collections.Concurrent;
using Augur.Workers.Supervision;

namespace Augur.Workers.Tests.Supervision;

/// <summary>
/// The endpoint of a worker started elsewhere, as the test scripts it: each connection made to it takes the next
/// scripted health check (refused at once, or silent until its token fires); once the script runs out, they answer.
/// </summary>
internal sealed class ScriptedEndpoint
{
    private readonly ConcurrentQueue<Func<CancellationToken, Task>> _pings = new();
    private readonly ConcurrentQueue<ScriptedConnection> _connections = new();

    /// <summary>Every connection made so far, in order.</summary>
    public IReadOnlyList<ScriptedConnection> Connections => _connections.ToArray();

    /// <summary>The next <paramref name="times"/> health checks fail at once with <paramref name="message"/>, as a socket nobody listens on does.</summary>
    public void Refuse(int times, string message)
    {
        for (var i = 0; i < times; i++)
        {
            _pings.Enqueue(_ => Task.FromException(new IOException(message)));
        }
    }

    /// <summary>The next health check is never answered: it ends only when its token fires.</summary>
    public void Ignore() => _pings.Enqueue(token => Task.Delay(Timeout.Infinite, token));

    public IWorkerConnection Connect(WorkerEndpoint endpoint)
    {
        var connection = new ScriptedConnection(_pings.TryDequeue(out var ping) ? ping : null);
        _connections.Enqueue(connection);
        return connection;
    }
}
