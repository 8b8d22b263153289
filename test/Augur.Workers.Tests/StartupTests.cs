using System.Net;
using System.Net.Sockets;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Workers.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Augur.Workers.Tests;

/// <summary>A worker that cannot start says why in one line naming the folder, model or endpoint, and leaves nothing listening.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_missing_folder_is_named()
    {
        var missing = Path.Combine(_folder.Path, "nope");

        var failure = await StartFailsAsync(Options() with { ModelDirectory = missing });

        Assert.Equal($"the model folder '{missing}' does not exist", failure.Message);
    }

    [Fact]
    public async Task A_folder_without_the_backends_file_says_what_it_expected()
    {
        var failure = await StartFailsAsync(Options());

        Assert.Equal($"the model folder '{_folder.ModelDirectory}' holds no model.onnx for the onnxruntime backend", failure.Message);
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_names_the_model_and_the_reason()
    {
        File.WriteAllBytes(Path.Combine(_folder.ModelDirectory, "model.onnx"), [1, 2, 3, 4]);

        var failure = await StartFailsAsync(Options());

        Assert.StartsWith("model 'm' version 1 could not be loaded: ", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task The_backends_settings_section_of_the_config_applies_and_its_mistakes_fail_the_start()
    {
        WriteFraud();
        Assert.True(ModelConfigReader.TryParse("""{"backend_settings": {"onnxruntime": {"intra_op_thread": 2}}}""", out var config, out _));

        var failure = await StartFailsAsync(Options() with { Config = config });

        Assert.Equal("model 'm' version 1 could not be loaded: unknown setting backend_settings.onnxruntime.intra_op_thread; known: intra_op_threads, inter_op_threads, optimize_graph, share_weights, global_thread_pool, shared_arena, share_subplans", failure.Message);
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_is_left_alone_and_named()
    {
        WriteFraud();
        File.WriteAllText(_folder.SocketPath, "someone else's");

        var failure = await StartFailsAsync(Options());

        Assert.Equal($"cannot listen on unix:{_folder.SocketPath}: '{_folder.SocketPath}' exists and is not a socket; remove it or pick another socket path", failure.Message);
        Assert.Equal("someone else's", File.ReadAllText(_folder.SocketPath));
    }

    [Fact]
    public async Task A_folder_at_the_socket_path_is_left_alone_and_named()
    {
        WriteFraud();
        Directory.CreateDirectory(_folder.SocketPath);

        var failure = await StartFailsAsync(Options());

        Assert.Equal($"cannot listen on unix:{_folder.SocketPath}: '{_folder.SocketPath}' exists and is not a socket; remove it or pick another socket path", failure.Message);
        Assert.True(Directory.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_stale_socket_nobody_listens_on_is_replaced()
    {
        WriteFraud();
        StaleSocket.Create(_folder.SocketPath);

        await using var host = await WorkerHost.StartAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions()), Options()).WaitAsync(RunningWorker.Timeout);
        using var client = Client.WorkerClient.Create(host.Endpoint);

        Assert.Equal("m", (await client.DescribeAsync().WaitAsync(RunningWorker.Timeout)).ModelName);
    }

    [Fact]
    public async Task A_stale_batch_socket_is_replaced_and_takes_the_batches()
    {
        WriteFraud();
        StaleSocket.Create(_folder.BatchSocketPath);

        await using var host = await WorkerHost.StartAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions()), Options()).WaitAsync(RunningWorker.Timeout);
        using var client = Client.WorkerClient.Create(host.Endpoint);
        var result = await client.ExecuteAsync([new("m", [InferenceTensor.Create("features", new float[8], 1, 8)])]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Null(result.Error);
        Assert.Equal(1, host.BatchSocket!.Batches);
    }

    [Fact]
    public async Task A_regular_file_at_the_batch_socket_path_is_left_alone_and_named()
    {
        WriteFraud();
        File.WriteAllText(_folder.BatchSocketPath, "someone else's");

        var failure = await StartFailsAsync(Options());

        Assert.Equal($"cannot listen on unix:{_folder.SocketPath}: '{_folder.BatchSocketPath}' exists and is not a socket; remove it or pick another socket path", failure.Message);
        Assert.Equal("someone else's", File.ReadAllText(_folder.BatchSocketPath));
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_batch_socket_another_process_listens_on_is_left_alone_and_named()
    {
        WriteFraud();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_folder.BatchSocketPath));
        listener.Listen();

        var failure = await StartFailsAsync(Options());

        Assert.Equal($"cannot listen on unix:{_folder.SocketPath}: another process is listening on '{_folder.BatchSocketPath}'; stop it or pick another socket path", failure.Message);
        Assert.False(File.Exists(_folder.SocketPath));
    }

    [Fact]
    public async Task A_socket_path_whose_batch_socket_path_would_be_too_long_serves_batches_over_grpc()
    {
        WriteFraud();
        // 107 bytes fit a socket address; 107 + ".batch" do not.
        var path = Path.Combine(_folder.Path, new string('s', WorkerEndpoint.MaxSocketPathBytes - _folder.Path.Length - 1));
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(logs)));

        await using var host = await WorkerHost.StartAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions()), Options() with { Endpoint = WorkerEndpoint.UnixSocket(path), LoggerFactory = loggerFactory }).WaitAsync(RunningWorker.Timeout);
        using var client = Client.WorkerClient.Create(host.Endpoint);
        var description = await client.DescribeAsync().WaitAsync(RunningWorker.Timeout);
        var result = await client.ExecuteAsync([new("m", [InferenceTensor.Create("features", new float[8], 1, 8)])]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Null(description.BatchSocket);
        Assert.Null(host.BatchSocket);
        Assert.Null(result.Error);
        Assert.Contains(logs.GetSnapshot(), r => r.Message == $"Worker of model m version 1 has no batch socket (its path '{path}.batch' would be 113 bytes long; a Unix socket path holds at most 107); batches come over gRPC");
    }

    [Fact]
    public async Task A_socket_another_process_listens_on_is_left_alone_and_named()
    {
        WriteFraud();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_folder.SocketPath));
        listener.Listen();

        var failure = await StartFailsAsync(Options());

        Assert.Equal($"cannot listen on unix:{_folder.SocketPath}: another process is listening on '{_folder.SocketPath}'; stop it or pick another socket path", failure.Message);
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await probe.ConnectAsync(new UnixDomainSocketEndPoint(_folder.SocketPath)).WaitAsync(RunningWorker.Timeout);
    }

    [Fact]
    public async Task A_socket_folder_that_does_not_exist_is_named()
    {
        WriteFraud();
        var path = Path.Combine(_folder.Path, "missing", "w.sock");

        var failure = await StartFailsAsync(Options() with { Endpoint = WorkerEndpoint.UnixSocket(path) });

        Assert.Equal($"cannot listen on unix:{path}: the folder '{Path.GetDirectoryName(path)}' does not exist", failure.Message);
    }

    [Fact]
    public async Task A_taken_tcp_port_is_named()
    {
        WriteFraud();
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var failure = await StartFailsAsync(Options() with { Endpoint = WorkerEndpoint.Tcp(IPAddress.Loopback, port) });

        Assert.Equal($"cannot listen on http://127.0.0.1:{port}: the address is in use; stop the other process or pick another port (0 picks a free one)", failure.Message);
    }

    private void WriteFraud() => File.WriteAllBytes(Path.Combine(_folder.ModelDirectory, "model.onnx"), SampleModels.BuildFraud());

    private WorkerHostOptions Options() => new()
    {
        ModelDirectory = _folder.ModelDirectory,
        ModelName = "m",
        Version = 1,
        Endpoint = WorkerEndpoint.UnixSocket(_folder.SocketPath),
    };

    private static Task<WorkerStartupException> StartFailsAsync(WorkerHostOptions options) =>
        Assert.ThrowsAsync<WorkerStartupException>(() => WorkerHost.StartAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions()), options)).WaitAsync(RunningWorker.Timeout);
}
