using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Augur.Testing;

namespace Augur.Samples.Tests;

/// <summary>
/// Runs a built sample (<c>dotnet samples/NAME/bin/.../NAME.dll</c>) as a child process from its own output folder, as
/// a user runs it, with stdin, stdout and stderr redirected and every wait bounded.
/// </summary>
internal sealed class SampleProcess : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Prefix, TaskCompletionSource<string> Line)> _waiters = [];
    private bool _stdoutClosed;

    private SampleProcess(string sample, string[] args)
    {
        var dll = OutputOf(sample);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root of a web app (appsettings.json) is its working directory.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnStdout(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null)
                {
                    _stderr.Append(e.Data).Append('\n');
                }
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

    public static SampleProcess Start(string sample, params string[] args) => new(sample, args);

    /// <summary>
    /// The sample's built program. The test project references the samples (without their assemblies), so they are built
    /// with it, into their own folders: the same configuration and framework as this one, e.g. <c>bin/Debug/net10.0</c>.
    /// </summary>
    public static string OutputOf(string sample)
    {
        var testOutput = Path.GetRelativePath(Path.Combine(RepositoryPaths.Root, "test", "Augur.Samples.Tests"), AppContext.BaseDirectory);
        var dll = Path.Combine(RepositoryPaths.Root, "samples", sample, testOutput, sample + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"the {sample} sample is not built at {dll}", dll);
    }

    /// <summary>Writes <paramref name="input"/> to the sample's stdin and closes it.</summary>
    public async Task WriteInputAsync(string input)
    {
        await _process.StandardInput.WriteAsync(input).WaitAsync(Timeout);
        _process.StandardInput.Close();
    }

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
                return Task.FromException<string>(new InvalidOperationException($"the sample exited before printing '{prefix}': {Stderr}"));
            }

            _waiters.Add((prefix, waiter));
        }

        return waiter.Task.WaitAsync(Timeout);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnStdout(string? line)
    {
        lock (_stdout)
        {
            if (line is null)
            {
                _stdoutClosed = true;
                foreach (var (prefix, waiter) in _waiters)
                {
                    waiter.TrySetException(new InvalidOperationException($"the sample exited before printing '{prefix}': {Stderr}"));
                }

                return;
            }

            _stdout.Append(line).Append('\n');
            _lines.Add(line);
            foreach (var (prefix, waiter) in _waiters.Where(w => line.StartsWith(w.Prefix, StringComparison.Ordinal)))
            {
                waiter.TrySetResult(line[prefix.Length..]);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
