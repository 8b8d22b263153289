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
    private readonly List<string> _lines = [];
    private readonly List<(string Prefix, TaskCompletionSource<string> Line)> _waiters = [];
    private bool _stdoutClosed;

    private AugurProcess(params string[] args)
        : this(null, args)
    {
    }

    private AugurProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
        : this(environment, redirectInput: false, args)
    {
    }

    private AugurProcess(IReadOnlyDictionary<string, string>? environment, bool redirectInput, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput, UseShellExecute = false };
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
            lock (_stdout)
            {
                if (e.Data is null)
                {
                    _stdoutClosed = true;
                    foreach (var (prefix, line) in _waiters)
                    {
                        line.TrySetException(new InvalidOperationException($"augur exited before printing '{prefix}': {Stderr}"));
                    }

                    return;
                }

                _stdout.AppendLine(e.Data);
                _lines.Add(e.Data);
                foreach (var (prefix, line) in _waiters.Where(w => e.Data.StartsWith(w.Prefix, StringComparison.Ordinal)))
                {
                    line.TrySetResult(e.Data[prefix.Length..]);
                }
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

    /// <summary>The process id: a batch job's lease names its holder by host name and this pid.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static AugurProcess Start(params string[] args) => new(args);

    /// <summary>Starts augur with its standard input on a pipe the test holds, to be closed with <see cref="CloseInput"/>.</summary>
    public static AugurProcess StartWithInput(params string[] args) => new(null, redirectInput: true, args);

    /// <summary>Closes the write end of standard input (for <see cref="StartWithInput"/>): augur reads end of file, as when its parent dies.</summary>
    public void CloseInput() => _process.StandardInput.Close();

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

    /// <summary>The rest of the line after "Augur listening on ", printed once the models are loaded: the REST address.</summary>
    public Task<string> WaitForListeningAsync() => WaitForLineAsync("Augur listening on ");

    /// <summary>The rest of the first stdout line that starts with <paramref name="prefix"/>, printed already or to come.</summary>
    public Task<string> WaitForLineAsync(string prefix)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } printed)
            {
                return Task.FromResult(printed[prefix.Length..]);
            }

            if (_stdoutClosed)
            {
                return Task.FromException<string>(new InvalidOperationException($"augur exited before printing '{prefix}': {Stderr}"));
            }

            _waiters.Add((prefix, waiter));
        }

        return waiter.Task.WaitAsync(Timeout);
    }

    /// <summary>The gRPC address <c>augur serve</c> reports on the line after the REST one.</summary>
    public Task<string> WaitForGrpcListeningAsync() => WaitForLineAsync("Augur gRPC listening on ");

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

    /// <summary>
    /// Stops the process with SIGSTOP, and returns once every thread of it has stopped (a thread may run on for a moment
    /// after the signal is sent): it keeps its sockets and answers nothing, as a wedged process does.
    /// </summary>
    public async Task PauseAsync()
    {
        if (kill(_process.Id, 19) != 0)
        {
            throw new InvalidOperationException($"kill failed: {Marshal.GetLastPInvokeError()}");
        }

        await WaitUntilStoppedAsync(_process.Id).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns once every thread of process <paramref name="pid"/>, sent SIGSTOP, has stopped: the signal is delivered
    /// once kill returns, but each thread stops on its own, and a running one may still answer a request meanwhile.
    /// </summary>
    public static async Task WaitUntilStoppedAsync(int pid)
    {
        var waited = Stopwatch.StartNew();
        while (!AllThreadsStopped(pid))
        {
            if (waited.Elapsed > Timeout)
            {
                throw new TimeoutException($"the threads of process {pid} did not all stop within {Timeout.TotalSeconds:0} s of SIGSTOP");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    // /proc/PID/task/TID/stat: "TID (name) STATE ..."; T is stopped by a signal.
    private static bool AllThreadsStopped(int pid)
    {
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                if (stat[stat.LastIndexOf(')') + 2] != 'T')
                {
                    return false;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return true;
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
