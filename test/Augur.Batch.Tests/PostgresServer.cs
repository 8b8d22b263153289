using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Augur.Batch.Tests;

/// <summary>
/// A real PostgreSQL server for the tests: initdb into a temporary folder and postgres on 127.0.0.1 on a free port
/// (started again on another port when postgres reports it could not bind the one it was given),
/// both run as the <c>postgres</c> OS user when the tests run as root (PostgreSQL refuses root), stopped and deleted
/// on dispose. Needs PostgreSQL's binaries under /usr/lib/postgresql (installed by .ci/run).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"augur-pg-{Guid.NewGuid():N}");
    private readonly Func<int> _candidatePort;
    private Process? _server;

    public PostgresServer()
        : this(FreePort)
    {
    }

    /// <summary>A server started on the first port of <paramref name="candidatePort"/> that postgres manages to bind.</summary>
    internal PostgresServer(Func<int> candidatePort) => _candidatePort = candidatePort;

    public int Port { get; private set; }

    /// <summary>How many starts it took to bind a port.</summary>
    internal int Starts { get; private set; }

    /// <summary>A postgres:// URI of a fresh database named <paramref name="database"/>, created on first use.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync();
        return $"postgres://postgres@127.0.0.1:{Port}/{database}";
    }

    public async Task InitializeAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb); .ci/run installs it with apt-get");
        Directory.CreateDirectory(_folder);
        var data = Path.Combine(_folder, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", _folder);
        }

        await RunAsync(Wrap(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"));

        // A port found free can be taken by another process before postgres binds it. Postgres says which happened:
        // it logs that it is ready, or exits saying it could not bind; then it starts again on another port.
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            Port = _candidatePort();
            Starts = attempt;
            var (server, ready, log) = await StartAsync(Wrap(asRoot, Path.Combine(bin, "postgres"), "-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={_folder}", "-c", "fsync=off", "-c", "max_connections=50", "-c", "lc_messages=C"));
            if (ready)
            {
                _server = server;
                await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=30");
                await connection.OpenAsync();
                return;
            }

            server.Dispose();
            if (attempt == attempts || !log.Contains("could not bind", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"postgres did not start on port {Port} (attempt {attempt} of {attempts}): {log}");
            }
        }
    }

    /// <summary>Starts postgres and waits for its log to say it is ready (true) or for it to exit (false, with its log).</summary>
    private static async Task<(Process Server, bool Ready, string Log)> StartAsync(string[] command)
    {
        var log = new System.Text.StringBuilder();
        var outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new Process { StartInfo = Start(command), EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data.Contains("database system is ready to accept connections", StringComparison.Ordinal))
            {
                outcome.TrySetResult(true);
            }
        };
        server.OutputDataReceived += onLine;
        server.ErrorDataReceived += onLine;
        server.Exited += (_, _) => outcome.TrySetResult(false);
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        bool ready;
        try
        {
            ready = await outcome.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            server.Kill(entireProcessTree: true);
            lock (log)
            {
                throw new InvalidOperationException($"postgres neither started nor exited within {Timeout.TotalSeconds} s: {log}");
            }
        }

        if (!ready)
        {
            server.WaitForExit(); // the last lines of its log
        }

        lock (log)
        {
            return (server, ready, log.ToString());
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync().WaitAsync(Timeout);
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string[] Wrap(bool asRoot, params string[] command) => asRoot ? ["runuser", "-u", "postgres", "--", .. command] : command;

    private static ProcessStartInfo Start(string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command[1..])
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static Task RunAsync(params string[] command) => RunAsync(command.AsEnumerable());

    private static async Task RunAsync(IEnumerable<string> command)
    {
        using var process = Process.Start(Start(command.ToArray()))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    /// <summary>A port that was free a moment ago: only a candidate, since another process can take it before postgres binds it.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
