using System.Buffers.Binary;
using System.Net.Sockets;
using Augur.Inference;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Augur.Workers.Client;
using Augur.Workers.Protocol;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using DataType = Augur.Tensors.DataType;

namespace Augur.Workers.Tests;

/// <summary>
/// The batch socket: a worker on a Unix socket names it in its description and takes length-prefixed protobuf batches
/// there; an abandoned batch is cancelled in the worker and never answers the next one; frames it cannot read close only
/// their connection.
/// </summary>
public sealed class BatchSocketTests
{
    [Fact]
    public async Task The_description_names_the_batch_socket_on_a_unix_socket_and_none_on_tcp()
    {
        await using var unix = await RunningWorker.StartOnnxAsync("identity", TestModels.Identity(DataType.Fp32, -1, 3));
        await using var tcp = await RunningWorker.StartOnnxAsync("identity", TestModels.Identity(DataType.Fp32, -1, 3), tcp: true);

        Assert.Equal(unix.Folder.BatchSocketPath, (await unix.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout)).BatchSocket);
        Assert.True(File.Exists(unix.Folder.BatchSocketPath));
        Assert.Null((await tcp.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout)).BatchSocket);
        Assert.Null(tcp.Host.BatchSocket);
        // TCP batches go over gRPC.
        Assert.Null((await tcp.Client.ExecuteAsync([Request(1f)]).AsTask().WaitAsync(RunningWorker.Timeout)).Error);

        await unix.Host.DisposeAsync();
        Assert.False(File.Exists(unix.Folder.BatchSocketPath));
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task A_batch_cancelled_mid_run_is_cancelled_in_the_worker_and_the_next_batch_gets_its_own_answer(Transport transport)
    {
        // The model notes the cancellation but answers anyway once released: the abandoned answer must reach no one.
        var held = new HeldModel(stubborn: true);
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("m"), "m", transport: transport);
        using var cancel = new CancellationTokenSource();
        var first = worker.Client.ExecuteAsync([Request(1f)], cancel.Token).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first).WaitAsync(RunningWorker.Timeout);
        await held.Cancelled.Task.WaitAsync(RunningWorker.Timeout);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.Host.Model.WaitingForTurn = () => waiting.TrySetResult();
        var second = worker.Client.ExecuteAsync([Request(2f)]).AsTask();
        await waiting.Task.WaitAsync(RunningWorker.Timeout);
        held.Release();
        var result = await second.WaitAsync(RunningWorker.Timeout);

        Assert.Null(result.Error);
        Assert.Equal([2f, 2f, 2f], result.Outputs![0][0].ToArray<float>());
        Assert.Equal(2, held.Model.ExecutionCount);
        Assert.Equal(transport == Transport.BatchSocket ? 2 : 0, worker.BatchSocketBatches);
        Assert.False(worker.Client.IsClosed);
    }

    [Fact]
    public async Task Frames_are_a_little_endian_length_and_protobuf_and_batches_the_worker_cannot_run_are_answered_as_invalid()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");
        using var socket = await ConnectAsync(worker);
        var good = new ExecuteRequest { Requests = { new Request { Inputs = { new Tensor { Datatype = Protocol.DataType.Fp32, Shape = { 1, 3 }, Data = ByteString.CopyFrom(new byte[12]) } } } } };
        var shortData = new ExecuteRequest { Requests = { new Request { Inputs = { new Tensor { Datatype = Protocol.DataType.Fp32, Shape = { 1, 3 }, Data = ByteString.CopyFrom(new byte[8]) } } } } };

        var answered = await ExchangeAsync(socket, good);
        var invalid = await ExchangeAsync(socket, shortData);
        var empty = await ExchangeAsync(socket, new ExecuteRequest());

        Assert.Equal([1L, 3L], answered.Outputs.Results[0].Outputs[0].Shape);
        Assert.Equal(new byte[12], answered.Outputs.Results[0].Outputs[0].Data.ToByteArray());
        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "model 'echo' input 'input': shape [1,3] of FP32 needs 12 bytes but the data has 8"), (invalid.Error.Code, invalid.Error.Message));
        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "the batch for model 'echo' holds no requests"), (empty.Error.Code, empty.Error.Message));
        Assert.Equal(1, backend.Model("echo").ExecutionCount);
        Assert.Equal(3, worker.BatchSocketBatches);
    }

    public static TheoryData<string, byte[], string> UnreadableFrames => new()
    {
        { "garbage", Frame("not protobuf"u8.ToArray()), "closed a batch socket connection: Protocol message contained a tag with an invalid wire type." },
        { "over 1 GiB", Header((1u << 30) + 1), "closed a batch socket connection: a frame of 1073741825 bytes is over the batch socket's limit of 1073741824 bytes" },
        { "a negative length", Header(uint.MaxValue), "closed a batch socket connection: a frame of 4294967295 bytes is over the batch socket's limit of 1073741824 bytes" },
    };

    [Theory]
    [MemberData(nameof(UnreadableFrames))]
    public async Task A_frame_the_worker_cannot_read_closes_that_connection_with_one_log_line_and_the_worker_serves_on(string what, byte[] bytes, string logged)
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(logs)));
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo", logs: loggerFactory);
        using var socket = await ConnectAsync(worker);

        await socket.SendAsync(bytes).WaitAsync(RunningWorker.Timeout);
        var read = await socket.ReceiveAsync(new byte[16]).WaitAsync(RunningWorker.Timeout);

        Assert.True(read == 0, $"{what}: the worker answered {read} bytes instead of closing the connection");
        var line = Assert.Single(logs.GetSnapshot(), r => r.Message.Contains("batch socket connection", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Warning, $"Worker of model echo {logged}"), (line.Level, line.Message));
        var result = await worker.Client.ExecuteAsync([Request(3f)]).AsTask().WaitAsync(RunningWorker.Timeout);
        Assert.Equal([3f, 3f, 3f], result.Outputs![0][0].ToArray<float>());
        Assert.Equal(1, backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task Stopping_lets_the_batch_running_on_the_batch_socket_answer_then_closes_its_connection()
    {
        var held = new HeldModel();
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held", drainTimeout: TimeSpan.FromSeconds(60));
        var call = worker.Client.ExecuteAsync([Request(4f)]).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        var stopping = worker.Host.DisposeAsync().AsTask();
        // The listener is closed and its file removed before the running batch is waited for.
        await Until(() => !File.Exists(worker.Folder.BatchSocketPath));
        held.Release();
        var result = await call.WaitAsync(RunningWorker.Timeout);
        await stopping.WaitAsync(RunningWorker.Timeout);
        var after = await worker.Client.ExecuteAsync([Request(5f)]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal([4f, 4f, 4f], result.Outputs![0][0].ToArray<float>());
        Assert.False(held.Cancelled.Task.IsCompleted);
        Assert.True(held.Model.IsDisposed);
        Assert.Equal(Errors.ErrorCode.Unavailable, after.Error?.Code);
    }

    [Fact]
    public async Task A_batch_longer_than_the_keep_alive_delay_runs_on_while_the_worker_answers_its_checks()
    {
        var held = new HeldModel();
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var delay = TimeSpan.FromSeconds(15);
        using var client = WorkerClient.Create(worker.Host.Endpoint, new WorkerClientOptions { Time = time, KeepAlivePingDelay = delay, KeepAlivePingTimeout = TimeSpan.FromSeconds(5) });
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var checks = new System.Collections.Concurrent.BlockingCollection<bool>();
        client.BatchSocket!.Sent = () => sent.TrySetResult();
        client.BatchSocket.KeepAlive!.Checked = checks.Add;
        var call = client.ExecuteAsync([Request(6f)]).AsTask();
        await sent.Task.WaitAsync(RunningWorker.Timeout);
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        time.Advance(delay);
        Assert.True(checks.TryTake(out var first, RunningWorker.Timeout) && first, $"the first check was not answered: {client.BatchSocket.KeepAlive.LastProblem}");
        time.Advance(delay);
        Assert.True(checks.TryTake(out var second, RunningWorker.Timeout) && second, $"the second check was not answered: {client.BatchSocket.KeepAlive.LastProblem}");
        held.Release();
        var result = await call.WaitAsync(RunningWorker.Timeout);

        Assert.Equal([6f, 6f, 6f], result.Outputs![0][0].ToArray<float>());
        Assert.False(held.Cancelled.Task.IsCompleted);
    }

    private static InferenceRequest Request(float value) => new("model", [InferenceTensor.Create("input", new[] { value, value, value }, 1, 3)]);

    private static async Task<Socket> ConnectAsync(RunningWorker worker)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(worker.Folder.BatchSocketPath)).WaitAsync(RunningWorker.Timeout);
        return socket;
    }

    private static async Task<ExecuteResponse> ExchangeAsync(Socket socket, ExecuteRequest request)
    {
        await socket.SendAsync(Frame(request.ToByteArray())).WaitAsync(RunningWorker.Timeout);
        var header = await ReceiveAsync(socket, 4);
        return ExecuteResponse.Parser.ParseFrom(await ReceiveAsync(socket, BinaryPrimitives.ReadInt32LittleEndian(header)));
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var bytes = new byte[count];
        for (var read = 0; read < count;)
        {
            var got = await socket.ReceiveAsync(bytes.AsMemory(read)).AsTask().WaitAsync(RunningWorker.Timeout);
            Assert.True(got > 0, "the worker closed the connection");
            read += got;
        }

        return bytes;
    }

    private static byte[] Frame(byte[] payload) => [.. Header((uint)payload.Length), .. payload];

    private static byte[] Header(uint length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, length);
        return header;
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + RunningWorker.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the state was not reached");
            await Task.Delay(10);
        }
    }
}
