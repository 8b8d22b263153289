using System.Diagnostics;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.Workers;
using Augur.Workers.Client;
using Augur.Workers.Hosting;

namespace Augur.WorkerTransport;

/// <summary>
/// A model worker serving one model version on a Unix socket, with the <see cref="WorkerClient"/>s the engine would call
/// it through (one sending batches over the batch socket, one over gRPC): the real <c>augur worker</c> process (the
/// default), or a <see cref="WorkerHost"/> in this process when no augur build is given.
/// </summary>
internal sealed class WorkerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process? _process;
    private readonly WorkerHost? _host;
    private readonly Queue<string> _errors = new();

    private WorkerUnderTest(Process? process, WorkerHost? host)
    {
        _process = process;
        _host = host;
    }

    /// <summary>The client that sends batches over the worker's batch socket (as the engine does by default).</summary>
    public WorkerClient Client { get; private set; } = null!;

    /// <summary>The client that sends batches as gRPC Execute calls (<c>"batch_socket": false</c>).</summary>
    public WorkerClient GrpcClient { get; private set; } = null!;

    /// <summary>How the worker runs, for the report.</summary>
    public string Describe => _process is not null ? "one augur worker process per model" : "a WorkerHost per model in the benchmark's own process";

    /// <summary>
    /// Starts <c>augur worker</c> (<paramref name="augur"/>: augur.dll, run with dotnet, or the augur executable) on
    /// <paramref name="socketPath"/> and waits for its ready line; with no <paramref name="augur"/>, hosts the worker here.
    /// </summary>
    public static async Task<WorkerUnderTest> StartAsync(string? augur, string name, string versionDirectory, string? configPath, ModelConfig config, string socketPath)
    {
        if (augur is null)
        {
            var host = await WorkerHost.StartAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions()), new WorkerHostOptions
            {
                ModelDirectory = versionDirectory,
                ModelName = name,
                Version = 1,
                Endpoint = WorkerEndpoint.UnixSocket(socketPath),
                Config = config,
            }).WaitAsync(StartTimeout);
            return await ConnectAsync(new WorkerUnderTest(null, host), host.Endpoint);
        }

        var info = augur.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ProcessStartInfo("dotnet") { ArgumentList = { augur } } : new ProcessStartInfo(augur);
        foreach (var argument in (string[])["worker", "--model-dir", versionDirectory, "--model", name, "--version", "1", "--socket", socketPath])
        {
            info.ArgumentList.Add(argument);
        }

        if (configPath is not null)
        {
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(configPath);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info };
        var worker = new WorkerUnderTest(process, null);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("Augur worker ready ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(e.Data["Augur worker ready ".Length..]);
            }
        };
        process.ErrorDataReceived += (_, e) => worker.KeepError(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(StartTimeout);
            if (first != ready.Task)
            {
                throw new InvalidOperationException($"augur worker for '{name}' exited with code {process.ExitCode} before it was ready{worker.LastError()}");
            }

            if (!WorkerEndpoint.TryParse(ready.Task.Result, out var endpoint, out var problem))
            {
                throw new InvalidOperationException($"augur worker for '{name}' printed an endpoint this benchmark cannot read: {problem}");
            }

            return await ConnectAsync(worker, endpoint);
        }
        catch (TimeoutException)
        {
            await worker.DisposeAsync();
            throw new TimeoutException($"augur worker for '{name}' was not ready within {StartTimeout.TotalSeconds:0} s{worker.LastError()}");
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    private static async Task<WorkerUnderTest> ConnectAsync(WorkerUnderTest worker, WorkerEndpoint endpoint)
    {
        worker.Client = WorkerClient.Create(endpoint);
        worker.GrpcClient = WorkerClient.Create(endpoint, new WorkerClientOptions { UseBatchSocket = false });
        var description = await worker.Client.DescribeAsync().WaitAsync(StartTimeout);
        await worker.GrpcClient.DescribeAsync().WaitAsync(StartTimeout);
        return description.BatchSocket is not null
            ? worker
            : throw new InvalidOperationException($"the worker at {endpoint} has no batch socket; this benchmark compares it with gRPC");
    }

    private void KeepError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_errors)
        {
            _errors.Enqueue(line);
            if (_errors.Count > 5)
            {
                _errors.Dequeue();
            }
        }
    }

    private string LastError()
    {
        lock (_errors)
        {
            return _errors.Count > 0 ? $": {_errors.Last()}" : string.Empty;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        GrpcClient?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_process is not null)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            _process.Dispose();
        }
    }
}
