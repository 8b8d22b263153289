using Augur.Cli.Tests;
using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Augur.Workers.Client;

namespace Augur.Workers.Tests;

/// <summary>
/// <c>augur worker</c> as the engine's supervisor runs it: one ready line naming the endpoint once it listens, batches
/// over the socket, exit 0 on SIGTERM; a start-up failure is one line on stderr and exit code 2.
/// </summary>
public sealed class WorkerCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string FraudVersion => Path.Combine(RepositoryPaths.SampleModels, SampleModels.Fraud, "1");

    [Fact]
    public async Task The_worker_prints_its_ready_line_serves_batches_over_the_socket_and_exits_0_on_sigterm()
    {
        using var process = AugurProcess.Start("worker", "--model-dir", FraudVersion, "--model", "fraud", "--version", "1", "--socket", _folder.SocketPath);
        var ready = await process.WaitForLineAsync("Augur worker ready ");
        Assert.Equal($"unix:{_folder.SocketPath}", ready);
        Assert.True(WorkerEndpoint.TryParse(ready, out var endpoint, out _));
        await using var local = await InProcessOnnx.LoadAsync(FraudVersion, "fraud");
        using var client = WorkerClient.Create(endpoint);
        InferenceRequest[] batch = [new("fraud", [InferenceTensor.Create("features", new[] { 0.1f, 0.9f, 0.3f, 0.2f, 0.5f, 0.7f, 0.0f, 1.0f }, 1, 8)])];

        var description = await client.DescribeAsync().WaitAsync(RunningWorker.Timeout);
        var result = await client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(process.Id, description.ProcessId);
        Same.Outputs(await local.ExecuteAsync(batch), result);
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Equal([$"Augur worker ready unix:{_folder.SocketPath}"], Lines(process.Stdout));
        Assert.False(File.Exists(_folder.SocketPath));
        Assert.False(File.Exists(_folder.BatchSocketPath));
        Assert.Equal(_folder.BatchSocketPath, description.BatchSocket);
    }

    [Fact]
    public async Task A_worker_killed_with_a_batch_sent_on_its_batch_socket_fails_the_batch_as_unavailable_at_once()
    {
        using var process = AugurProcess.Start(FraudWorkerAt(_folder.SocketPath));
        Assert.True(WorkerEndpoint.TryParse(await process.WaitForLineAsync(ReadyPrefix), out var endpoint, out _));
        using var client = WorkerClient.Create(endpoint);
        InferenceRequest[] batch = [new("fraud", [InferenceTensor.Create("features", new float[8], 1, 8)])];
        Assert.Null((await client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout)).Error);
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.BatchSocket!.Sent = () => sent.TrySetResult();

        // Stopped, the worker cannot read the batch: it is in the socket when the worker dies.
        await process.PauseAsync();
        var call = client.ExecuteAsync(batch).AsTask();
        await sent.Task.WaitAsync(RunningWorker.Timeout);
        process.Kill();
        var result = await call.WaitAsync(RunningWorker.Timeout);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.StartsWith($"the worker of model 'fraud' version 1 at unix:{_folder.SocketPath} is unavailable: the connection to its batch socket broke (", result.Error!.Message);
        Assert.Equal(128 + 9, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task A_worker_stopped_during_a_batch_on_its_batch_socket_fails_it_one_keep_alive_check_later()
    {
        using var process = AugurProcess.Start(FraudWorkerAt(_folder.SocketPath));
        Assert.True(WorkerEndpoint.TryParse(await process.WaitForLineAsync(ReadyPrefix), out var endpoint, out _));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var delay = TimeSpan.FromSeconds(15);
        var timeout = TimeSpan.FromSeconds(5);
        using var client = WorkerClient.Create(endpoint, new WorkerClientOptions { Time = time, KeepAlivePingDelay = delay, KeepAlivePingTimeout = timeout });
        InferenceRequest[] batch = [new("fraud", [InferenceTensor.Create("features", new float[8], 1, 8)])];
        Assert.Null((await client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout)).Error);
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.BatchSocket!.Sent = () => sent.TrySetResult();

        await process.PauseAsync();
        var call = client.ExecuteAsync(batch).AsTask();
        await sent.Task.WaitAsync(RunningWorker.Timeout);
        time.Advance(delay);     // the check goes out, to a worker that cannot answer it
        Assert.False(call.IsCompleted);
        time.Advance(timeout);   // and is not answered in time
        var result = await call.WaitAsync(RunningWorker.Timeout);

        Assert.Equal(
            InferenceError.Unavailable($"the worker of model 'fraud' version 1 at unix:{_folder.SocketPath} is unavailable: it did not answer a keep-alive check within 5000 ms while its batch ran"),
            result.Error);
        process.Kill();
        Assert.Equal(128 + 9, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task With_port_0_the_worker_listens_on_tcp_and_names_the_port_it_got()
    {
        using var process = AugurProcess.Start("worker", "--model-dir", FraudVersion, "--model", "fraud", "--version", "1", "--port", "0");
        var ready = await process.WaitForLineAsync("Augur worker ready ");
        Assert.True(WorkerEndpoint.TryParse(ready, out var endpoint, out var problem), problem);
        using var client = WorkerClient.Create(endpoint);

        var result = await client.ExecuteAsync([new("fraud", [InferenceTensor.Create("features", new float[16], 2, 8)])]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.StartsWith("http://127.0.0.1:", ready);
        Assert.Null(result.Error);
        Assert.Equal([2L, 1L], result.Outputs![0][0].Shape.ToArray());
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task A_worker_started_again_at_the_socket_a_killed_worker_left_replaces_it()
    {
        using (var killed = AugurProcess.Start(FraudWorkerAt(_folder.SocketPath)))
        {
            await killed.WaitForLineAsync(ReadyPrefix);
            killed.Kill();
            Assert.Equal(128 + 9, await killed.WaitForExitAsync());
        }

        Assert.True(File.Exists(_folder.SocketPath), "a worker killed with SIGKILL leaves its socket file");
        using var again = AugurProcess.Start(FraudWorkerAt(_folder.SocketPath));

        Assert.Equal($"unix:{_folder.SocketPath}", await again.WaitForLineAsync(ReadyPrefix));
        await AssertServedByAsync(again);
        again.Terminate();
        Assert.Equal(0, await again.WaitForExitAsync());
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_worker_at_the_socket_a_live_worker_listens_on_exits_2_with_one_line_and_the_live_one_keeps_serving()
    {
        using var live = AugurProcess.Start(FraudWorkerAt(_folder.SocketPath));
        await live.WaitForLineAsync(ReadyPrefix);

        var (code, stdout, stderr) = await AugurProcess.RunAsync(FraudWorkerAt(_folder.SocketPath));

        Assert.Equal(2, code);
        Assert.Equal([$"augur worker: cannot listen on unix:{_folder.SocketPath}: another process is listening on '{_folder.SocketPath}'; stop it or pick another socket path"], Lines(stderr));
        Assert.Empty(Lines(stdout));
        await AssertServedByAsync(live);
        live.Terminate();
        Assert.Equal(0, await live.WaitForExitAsync());
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_exits_2_with_one_line_and_is_kept()
    {
        File.WriteAllText(_folder.SocketPath, "notes");

        var (code, _, stderr) = await AugurProcess.RunAsync(FraudWorkerAt(_folder.SocketPath));

        Assert.Equal(2, code);
        Assert.Equal([$"augur worker: cannot listen on unix:{_folder.SocketPath}: '{_folder.SocketPath}' exists and is not a socket; remove it or pick another socket path"], Lines(stderr));
        Assert.Equal("notes", File.ReadAllText(_folder.SocketPath));
    }

    [Fact]
    public async Task With_exit_with_stdin_the_worker_serves_until_its_stdin_closes_then_exits_0_and_removes_its_socket()
    {
        using var process = AugurProcess.StartWithInput(FraudWorkerAt(_folder.SocketPath, "--exit-with-stdin"));
        await process.WaitForLineAsync(ReadyPrefix);
        await AssertServedByAsync(process);

        process.CloseInput();

        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_exits_2_with_one_line()
    {
        var missing = Path.Combine(_folder.Path, "nope");

        var (code, stdout, stderr) = await AugurProcess.RunAsync("worker", "--model-dir", missing, "--model", "fraud", "--version", "1", "--socket", _folder.SocketPath);

        Assert.Equal(2, code);
        Assert.Equal([$"augur worker: --model-dir '{missing}' does not exist; give a model version folder, such as models/fraud/1"], Lines(stderr));
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_exits_2_with_one_line_naming_it()
    {
        File.WriteAllBytes(Path.Combine(_folder.ModelDirectory, "model.onnx"), [1, 2, 3, 4]);

        var (code, stdout, stderr) = await AugurProcess.RunAsync("worker", "--model-dir", _folder.ModelDirectory, "--model", "broken", "--version", "1", "--socket", _folder.SocketPath);

        Assert.Equal(2, code);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("augur worker: model 'broken' version 1 could not be loaded: ", line);
        Assert.DoesNotContain("Augur worker ready", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Theory]
    [InlineData(new[] { "--version", "one" }, "augur worker: --version 'one': expected a whole number; see augur worker --help")]
    [InlineData(new[] { "--version", "1", "--port", "0", "--socket", "/tmp/x.sock" }, "augur worker: --socket and --port: give one of them (a Unix socket, or a TCP port)")]
    [InlineData(new[] { "--version", "1", "--backend", "tensorrt" }, "augur worker: --backend 'tensorrt' is not a backend this worker has; known: onnxruntime, pipeline")]
    [InlineData(new[] { "--version", "1", "--port", "0", "--host", "example.com" }, "augur worker: --host 'example.com' is not an IP address; give one, such as 127.0.0.1")]
    public async Task A_command_line_it_cannot_use_exits_2_with_one_line(string[] args, string expected)
    {
        var (code, _, stderr) = await AugurProcess.RunAsync(["worker", "--model-dir", FraudVersion, "--model", "fraud", .. args]);

        Assert.Equal(2, code);
        Assert.Equal([expected], Lines(stderr));
    }

    [Fact]
    public async Task A_config_that_does_not_parse_exits_2_naming_the_file()
    {
        var config = Path.Combine(_folder.Path, "config.json");
        File.WriteAllText(config, """{"max_batch_size": "many"}""");

        var (code, _, stderr) = await AugurProcess.RunAsync("worker", "--model-dir", FraudVersion, "--model", "fraud", "--version", "1", "--config", config);

        Assert.Equal(2, code);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"augur worker: --config '{config}': config.json: ", line);
    }

    private const string ReadyPrefix = "Augur worker ready ";

    /// <summary>Asserts that the worker answering at the socket is <paramref name="process"/>.</summary>
    private async Task AssertServedByAsync(AugurProcess process)
    {
        using var client = WorkerClient.Create(WorkerEndpoint.UnixSocket(_folder.SocketPath));
        Assert.Equal(process.Id, (await client.DescribeAsync().WaitAsync(RunningWorker.Timeout)).ProcessId);
    }

    private static string[] FraudWorkerAt(string socket, params string[] extra) =>
        ["worker", "--model-dir", FraudVersion, "--model", "fraud", "--version", "1", "--socket", socket, .. extra];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
