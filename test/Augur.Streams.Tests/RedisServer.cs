using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

namespace Augur.Streams.Tests;

/// <summary>
/// A real redis-server for one test class, listening on a unix socket in a temporary folder and on no TCP port at all
/// (<c>--port 0</c>), so there is no free port to guess and no other process can answer in its place; no persistence;
/// stopped and its folder deleted at the end. Tests use their own stream names, so they can share it.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"augur-redis-{Guid.NewGuid():N}");
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    /// <summary>The socket redis-server listens on.</summary>
    public string SocketPath => Path.Combine(_directory, "redis.sock");

    /// <summary>The StackExchange.Redis configuration string of the socket, as <c>augur stream --redis</c> takes it.</summary>
    public string Configuration => $"!{SocketPath}";

    /// <summary>A connection for the test itself.</summary>
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Db => Connection.GetDatabase();

    /// <summary>The server, for commands about connections (CLIENT LIST).</summary>
    public IServer Server => Connection.GetServer(Connection.GetEndPoints().Single());

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", "0", "--bind", "127.0.0.1", "--unixsocket", SocketPath, "--unixsocketperm", "700", "--dir", _directory, "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // redis-server says when it accepts connections; it exits (ending its output) when it cannot start.
        await _ready.Task.WaitAsync(StartTimeout);
        Connection = await ConnectionMultiplexer.ConnectAsync($"{Configuration},abortConnect=true,allowAdmin=true");
        await Connection.GetDatabase().PingAsync();
    }

    /// <summary>Kills redis-server now (to its clients, a crash); disposing afterwards only cleans up.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void OnLine(string? line)
    {
        string log;
        lock (_log)
        {
            _log.AppendLine(line);
            log = _log.ToString();
        }

        if (line is null)
        {
            _ready.TrySetException(new InvalidOperationException($"redis-server stopped before accepting connections:\n{log}"));
        }
        else if (line.Contains("ready to accept connections", StringComparison.OrdinalIgnoreCase))
        {
            _ready.TrySetResult();
        }
    }
}
