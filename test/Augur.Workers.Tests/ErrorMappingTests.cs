using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Augur.Workers.Protocol;
using Google.Protobuf;
using Grpc.Net.Client;
using DataType = Augur.Tensors.DataType;
using ErrorCode = Augur.Errors.ErrorCode;

namespace Augur.Workers.Tests;

/// <summary>A model's failures, and requests the worker cannot run, come back as the errors the engine maps to statuses.</summary>
public sealed class ErrorMappingTests
{
    private static readonly ModelSignature Signature = new([new Models.TensorSpec("input", DataType.Fp32, [-1, 3])], [new Models.TensorSpec("output", DataType.Fp32, [-1, 3])]);

    public static TheoryData<ErrorCode> AllErrorCodes => new(Enum.GetValues<ErrorCode>());

    [Theory]
    [MemberData(nameof(AllErrorCodes))]
    public async Task A_batch_error_of_the_model_comes_back_with_its_code_and_message(ErrorCode code)
    {
        var backend = new FakeBackend().Register("failing", FakeModelSpec.Failing(Signature, new InferenceError(code, $"model 'failing' said no ({code})")));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "failing");

        var result = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Null(result.Outputs);
        Assert.Equal(new InferenceError(code, $"model 'failing' said no ({code})"), result.Error);
    }

    [Fact]
    public async Task A_model_that_throws_is_an_internal_error_naming_it_and_the_worker_goes_on_serving()
    {
        var calls = 0;
        var backend = new FakeBackend().Register("flaky", FakeModelSpec.Custom(Signature, call => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("the kernel crashed")
            : ValueTask.FromResult(FakeModelSpec.Echo(call.Batch, Signature))));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "flaky");

        var failed = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);
        var next = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(new InferenceError(ErrorCode.Internal, "model 'flaky' failed: the kernel crashed"), failed.Error);
        Assert.Equal(500, failed.Error!.Code.ToHttpStatus());
        Assert.Null(next.Error);
    }

    [Fact]
    public async Task A_request_missing_an_input_fails_as_invalid_without_reaching_the_worker()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");
        await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout);

        var result = await worker.Client.ExecuteAsync([Request(), new InferenceRequest("echo", [InferenceTensor.Create("other", new float[3], 1, 3)])]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(InferenceError.Invalid("request 1 of the batch for model 'echo' has no input 'input'"), result.Error);
        Assert.Equal(0, backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task An_input_of_another_datatype_than_the_signature_is_invalid()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");

        var result = await worker.Client.ExecuteAsync([new InferenceRequest("echo", [InferenceTensor.Create("input", new int[3], 1, 3)])]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(InferenceError.Invalid("model 'echo' input 'input' is FP32, not INT32"), result.Error);
        Assert.Equal(0, backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task Malformed_messages_are_invalid_arguments_naming_the_input_not_rpc_failures()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(worker.Folder.SocketPath), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            },
        });
        var raw = new ModelWorker.ModelWorkerClient(channel);

        async Task<Protocol.Error> SendAsync(ExecuteRequest request) => (await raw.ExecuteAsync(request).ResponseAsync.WaitAsync(RunningWorker.Timeout)).Error;

        var shortData = new ExecuteRequest { Requests = { new Request { Inputs = { new Tensor { Datatype = Protocol.DataType.Fp32, Shape = { 1, 3 }, Data = ByteString.CopyFrom(new byte[8]) } } } } };
        var unknownType = new ExecuteRequest { Requests = { new Request { Inputs = { new Tensor { Datatype = (Protocol.DataType)99, Shape = { 1, 3 }, Data = ByteString.CopyFrom(new byte[12]) } } } } };
        var noInputs = new ExecuteRequest { Requests = { new Request() } };

        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "model 'echo' input 'input': shape [1,3] of FP32 needs 12 bytes but the data has 8"), Pair(await SendAsync(shortData)));
        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "model 'echo' input 'input': tensor 'input' has no valid datatype (99)"), Pair(await SendAsync(unknownType)));
        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "request 0 of the batch has 0 inputs; model 'echo' has 1"), Pair(await SendAsync(noInputs)));
        Assert.Equal((Protocol.ErrorCode.InvalidArgument, "the batch for model 'echo' holds no requests"), Pair(await SendAsync(new ExecuteRequest())));
        Assert.Equal(0, backend.Model("echo").ExecutionCount);
    }

    [Fact]
    public async Task A_worker_answer_that_disagrees_with_the_batch_is_an_internal_error()
    {
        var backend = new FakeBackend().Register("wrong", FakeModelSpec.WrongCount(Signature, resultCount: 2));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "wrong");

        var result = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(
            new InferenceError(ErrorCode.Internal, $"the worker of model 'wrong' version 1 at {worker.Host.Endpoint} returned outputs that do not agree with model 'wrong': 2 results for a batch of 1 requests"),
            result.Error);
    }

    [Fact]
    public async Task Timings_add_the_workers_compute_phases_to_the_clients_own()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");

        var result = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);

        // The fake reports 1 ms input, 2 ms infer, 3 ms output; the round trip's own time is added on top.
        Assert.True(result.Timings.Input >= FakeModelSpec.DefaultTimings.Input, result.Timings.ToString());
        Assert.True(result.Timings.Output >= FakeModelSpec.DefaultTimings.Output, result.Timings.ToString());
        Assert.True(result.Timings.Infer >= TimeSpan.Zero, result.Timings.ToString());
    }

    private static (Protocol.ErrorCode, string) Pair(Protocol.Error error) => (error.Code, error.Message);

    private static InferenceRequest Request() => new("model", [InferenceTensor.Create("input", new[] { 1f, 2f, 3f }, 1, 3)]);
}
