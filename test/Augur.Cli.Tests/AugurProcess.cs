using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Augur.Cli.Tests;

/// <summary>Runs the built <c>augur</c> executable as a child process, with every wait bounded.</summary>
internal sealed class AugurProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _grpcListening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AugurProcess(params string[] args)
        : this(null, args)
    {
    }

    private AugurProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "augur.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _listening.TrySetException(new InvalidOperationException($"augur exited before listening: {Stderr}"));
                _grpcListening.TrySetException(new InvalidOperationException($"augur exited before listening for gRPC: {Stderr}"));
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            const string marker = "Augur listening on ";
            const string grpcMarker = "Augur gRPC listening on ";
            if (e.Data.StartsWith(marker, StringComparison.Ordinal))
            {
                _listening.TrySetResult(e.Data[marker.Length..]);
            }
            else if (e.Data.StartsWith(grpcMarker, StringComparison.Ordinal))
            {
                _grpcListening.TrySetResult(e.Data[grpcMarker.Length..]);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static AugurProcess Start(params string[] args) => new(args);

    /// <summary>Starts augur with extra environment variables (e.g. <c>AUGUR_*</c> settings).</summary>
    public static AugurProcess StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) => new(environment, args);

    /// <summary>Runs a command to completion with extra environment variables.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = new AugurProcess(environment, args);
        var code = await process.WaitForExitAsync().ConfigureAwait(false);
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>Runs a command to completion.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = new AugurProcess(args);
        var code = await process.WaitForExitAsync().ConfigureAwait(false);
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>The REST address <c>augur serve</c> reports once it listens, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Task<string> WaitForListeningAsync() => _listening.Task.WaitAsync(Timeout);

    /// <summary>The gRPC address <c>augur serve</c> reports on the line after the REST one.</summary>
    public Task<string> WaitForGrpcListeningAsync() => _grpcListening.Task.WaitAsync(Timeout);

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout).ConfigureAwait(false);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Kills the process with SIGKILL: no handler runs, as when the OOM killer or a node loss ends it.</summary>
    public void Kill()
    {
        if (kill(_process.Id, 9) != 0)
        {
            throw new InvalidOperationException($"kill failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
