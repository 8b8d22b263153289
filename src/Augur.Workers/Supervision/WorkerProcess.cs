using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// One running <c>augur worker</c> process: started, waited for until it prints its ready line, watched until it ends.
/// Its standard error is logged and its last lines kept, so a worker that fails to start says why.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>The line a worker prints on standard output once it listens, followed by its endpoint.</summary>
    public const string ReadyPrefix = "Augur worker ready ";

    private const int KeptErrorLines = 5;

    private readonly Process _process;
    private readonly Queue<string> _errors = new();
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;

    private WorkerProcess(Process process, ILogger logger)
    {
        _process = process;
        _logger = logger;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Completes, with how it ended (<see cref="ExitDescription"/>), when the process has exited.</summary>
    public Task<string> Exited => _exited.Task;

    /// <summary>The process's resident memory now; 0 once it has exited.</summary>
    public long ResidentBytes
    {
        get
        {
            try
            {
                _process.Refresh();
                return _process.HasExited ? 0 : _process.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// Starts the worker and waits for its ready line. Throws with the worker's own words (its last standard error line)
    /// when it exits first, or when it is not ready within <paramref name="startTimeout"/> (it is then killed).
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(WorkerProgram command, IEnumerable<string> arguments, TimeSpan startTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Never written: the pipe reaches end of file when this process ends, however it ends, and a worker started
            // with --exit-with-stdin then stops instead of outliving its server.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.LeadingArguments.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, logger);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
            else
            {
                WorkerLog.Output(logger, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => worker.OnError(e.Data);
        process.Exited += (_, _) => worker.OnExited();
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new InvalidOperationException($"could not start the worker program '{command.FileName}': {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(startTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var first = await Task.WhenAny(ready.Task, worker.Exited).WaitAsync(linked.Token).ConfigureAwait(false);
            if (first == ready.Task)
            {
                return worker;
            }

            var exit = await worker.Exited.ConfigureAwait(false);
            throw new InvalidOperationException($"the worker {exit} before it was ready{worker.LastError()}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"the worker was not ready within {startTimeout.TotalMilliseconds:0} ms{worker.LastError()}");
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ends the process at once (SIGKILL); a worker holds no state worth a graceful stop.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Kills the process if it still runs and waits for it to be gone.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited.ConfigureAwait(false);
        _process.Dispose();
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        var (level, message) = WorkerLogLine.Parse(line);
        WorkerLog.Relayed(_logger, level, message);
        lock (_errors)
        {
            _errors.Enqueue(line);
            if (_errors.Count > KeptErrorLines)
            {
                _errors.Dequeue();
            }
        }
    }

    private void OnExited()
    {
        // The exit code is read once the output is drained, so the last error lines are in.
        _ = Task.Run(async () =>
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            _exited.TrySetResult(ExitDescription.Of(_process.ExitCode));
        });
    }

    private string LastError()
    {
        lock (_errors)
        {
            return _errors.Count > 0 ? $": {_errors.Last()}" : string.Empty;
        }
    }
}
