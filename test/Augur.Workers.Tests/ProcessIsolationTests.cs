using Augur.Cli.Tests;
using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Augur.Workers.Client;

namespace Augur.Workers.Tests;

/// <summary>
/// The whole chain: an engine whose model's config.json says <c>"isolation": "process"</c> starts the real
/// <c>augur worker</c>, and its answers are those of the same model served in process, bit for bit.
/// </summary>
public sealed class ProcessIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_model_in_a_worker_process_answers_as_the_same_model_in_process()
    {
        using var isolated = new TempRepository();
        using var inProcess = new TempRepository();
        TestModels.WriteModel(isolated.Path, SampleModels.Fraud, SampleModels.BuildFraud());
        TestModels.WriteModel(inProcess.Path, SampleModels.Fraud, SampleModels.BuildFraud());
        isolated.WriteConfig(SampleModels.Fraud, """{"isolation": "process", "max_batch_size": 8}""");
        inProcess.WriteConfig(SampleModels.Fraud, """{"max_batch_size": 8}""");
        using var sockets = new TempFolder();
        await using var worker = await new InferenceEngineBuilder()
            .UseModelRepository(isolated.Path)
            .UseOnnxRuntime()
            .UseProcessIsolation(o =>
            {
                o.Command = new WorkerProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "augur.dll")]);
                o.SocketDirectory = sockets.Path;
            })
            .BuildAsync().WaitAsync(Timeout);
        await using var local = await new InferenceEngineBuilder().UseModelRepository(inProcess.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        var features = Enumerable.Range(0, 3 * 8).Select(i => (float)Math.Sin(i)).ToArray();
        var request = new InferenceRequest(SampleModels.Fraud, [InferenceTensor.Create("features", features, 3, 8)]);

        var remote = await worker.InferAsync(request).AsTask().WaitAsync(Timeout);
        var expected = await local.InferAsync(request).AsTask().WaitAsync(Timeout);

        Assert.Equal(expected["probability"].Data.ToArray(), remote["probability"].Data.ToArray());
        Assert.Equal(expected["label"].Data.ToArray(), remote["label"].Data.ToArray());
        Assert.Equal([3L, 1L], remote["probability"].Shape.ToArray());
    }

    [Fact]
    public async Task A_pipeline_in_a_worker_process_answers_as_the_same_pipeline_in_process()
    {
        using var isolated = new TempRepository();
        using var inProcess = new TempRepository();
        foreach (var repository in new[] { isolated, inProcess })
        {
            foreach (var (path, bytes) in SampleModels.Files(SampleModels.Sentiment))
            {
                var file = Path.Combine(repository.ModelPath(SampleModels.Sentiment), path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, bytes);
            }
        }

        isolated.WriteConfig(SampleModels.Sentiment, """{"isolation": "process"}""");
        using var sockets = new TempFolder();
        await using var worker = await new InferenceEngineBuilder()
            .UseModelRepository(isolated.Path)
            .UseOnnxRuntime()
            .UseProcessIsolation(o =>
            {
                o.Command = new WorkerProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "augur.dll")]);
                o.SocketDirectory = sockets.Path;
            })
            .BuildAsync().WaitAsync(Timeout);
        await using var local = await new InferenceEngineBuilder().UseModelRepository(inProcess.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        var request = new InferenceRequest(SampleModels.Sentiment, [InferenceTensor.CreateStrings("text", ["great food", "never again", ""], 3, 1)]);

        var remote = await worker.InferAsync(request).AsTask().WaitAsync(Timeout);
        var expected = await local.InferAsync(request).AsTask().WaitAsync(Timeout);

        Assert.Equal(expected["probability"].Data.ToArray(), remote["probability"].Data.ToArray());
        Assert.Equal([3L, 1L], remote["probability"].Shape.ToArray());
    }

    [Fact]
    public async Task The_workers_of_a_server_killed_with_sigkill_stop_and_remove_their_sockets()
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, SampleModels.Fraud, SampleModels.BuildFraud());
        repository.WriteConfig(SampleModels.Fraud, """{"isolation": "process"}""");
        using var server = AugurProcess.Start("serve", "--model-repository", repository.Path, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        await server.WaitForListeningAsync();
        // The server makes its workers' sockets in a folder of the temp directory named by its process id.
        var socket = Assert.Single(Directory.GetFiles(Path.Combine(Path.GetTempPath(), $"augur-workers-{server.Id}"), "*.sock"));
        using var client = WorkerClient.Create(WorkerEndpoint.UnixSocket(socket));
        var worker = (await client.DescribeAsync().WaitAsync(Timeout)).ProcessId;
        try
        {
            using var watcher = new FileSystemWatcher(Path.GetDirectoryName(socket)!, Path.GetFileName(socket));
            var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            watcher.Deleted += (_, _) => removed.TrySetResult();
            watcher.EnableRaisingEvents = true;

            server.Kill();
            Assert.Equal(128 + 9, await server.WaitForExitAsync());

            // Its stdin's pipe closed with the server: the worker stops as on SIGTERM, removing its socket on the way out.
            var stopped = await Task.WhenAny(removed.Task, Task.Delay(Timeout)) == removed.Task;
            Assert.True(stopped, $"the worker (pid {worker}) still had its socket {Timeout.TotalSeconds:0} s after its server was killed");
            Assert.False(File.Exists(socket));
        }
        finally
        {
            KillIfRunning(worker);
            Directory.Delete(Path.GetDirectoryName(socket)!, recursive: true);
        }
    }

    private static void KillIfRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already, as it should be.
        }
    }
}
