using System.Diagnostics;
using System.Text;

namespace Augur.Streams.Tests;

/// <summary>An <c>augur stream</c> child process (the built executable), with every wait bounded.</summary>
internal sealed class StreamProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _consuming = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "augur.dll"));
        start.ArgumentList.Add("stream");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public Task WaitUntilConsumingAsync() => _consuming.Task.WaitAsync(Timeout);

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit(Timeout);
    }

    /// <summary>SIGTERM, as systemd or a container runtime stops it; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _consuming.TrySetException(new InvalidOperationException($"augur stream exited before consuming: {Output}"));
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.StartsWith("Augur consuming ", StringComparison.Ordinal))
        {
            _consuming.TrySetResult();
        }
    }
}
