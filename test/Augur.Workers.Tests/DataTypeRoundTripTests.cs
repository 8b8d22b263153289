using Augur.Inference;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Workers.Tests;

/// <summary>
/// Every datatype through a worker: an ONNX Identity model served by a worker over a Unix socket answers exactly what the
/// same model answers in this process, byte for byte, and what it was given; over the batch socket and over gRPC alike.
/// </summary>
public sealed class DataTypeRoundTripTests
{
    public static TheoryData<DataType, Transport> AllDataTypes
    {
        get
        {
            var data = new TheoryData<DataType, Transport>();
            foreach (var type in DataTypes.All)
            {
                data.Add(type, Transport.BatchSocket);
                data.Add(type, Transport.Grpc);
            }

            return data;
        }
    }

    public static TheoryData<Transport> BothTransports => new(Transport.BatchSocket, Transport.Grpc);

    [Theory]
    [MemberData(nameof(AllDataTypes))]
    public async Task One_request_comes_back_bit_exactly_as_in_process_onnx_runtime_answers_it(DataType type, Transport transport)
    {
        await using var worker = await RunningWorker.StartOnnxAsync("identity", TestModels.Identity(type, -1, 3), transport: transport);
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, "identity");
        InferenceRequest[] batch = [new("identity", [TestTensors.Create("input", type, 2, 3, seed: 1)])];

        var remote = await worker.Client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Same.Outputs(await local.ExecuteAsync(batch), remote);
        Same.Tensor(batch[0].Inputs[0].WithName("output"), remote.Outputs![0][0]);
        AssertWentOver(transport, worker, batches: 1);
    }

    [Theory]
    [MemberData(nameof(AllDataTypes))]
    public async Task A_batch_of_several_requests_is_split_back_per_request_bit_exactly(DataType type, Transport transport)
    {
        await using var worker = await RunningWorker.StartOnnxAsync("identity", TestModels.Identity(type, -1, 3), transport: transport);
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, "identity");
        InferenceRequest[] batch =
        [
            new("identity", [TestTensors.Create("input", type, 1, 3, seed: 1)]),
            new("identity", [TestTensors.Create("input", type, 4, 3, seed: 2)]),
            new("identity", [TestTensors.Create("input", type, 2, 3, seed: 3)]),
        ];

        var remote = await worker.Client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Same.Outputs(await local.ExecuteAsync(batch), remote);
        for (var r = 0; r < batch.Length; r++)
        {
            Same.Tensor(batch[r].Inputs[0].WithName("output"), remote.Outputs![r][0]);
        }

        AssertWentOver(transport, worker, batches: 1);
    }

    [Theory]
    [MemberData(nameof(BothTransports))]
    public async Task Bytes_elements_keep_their_exact_bytes_and_lengths(Transport transport)
    {
        await using var worker = await RunningWorker.StartOnnxAsync("strings", TestModels.Identity(DataType.Bytes, -1), transport: transport);
        byte[][] elements = [[], [0], [0xFF, 0xFE, 0xFD], "día ☀"u8.ToArray(), new byte[70_000]];
        InferenceRequest[] batch =
        [
            new("strings", [InferenceTensor.FromRaw("input", DataType.Bytes, [5], BytesElements.Encode(elements))]),
            new("strings", [InferenceTensor.CreateStrings("input", ["a", ""])]),
        ];

        var remote = await worker.Client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Null(remote.Error);
        Assert.Equal(elements, remote.Outputs![0][0].GetBytesElements().Select(e => e.ToArray()));
        Assert.Equal(["a", ""], remote.Outputs[1][0].ToStrings());
        AssertWentOver(transport, worker, batches: 1);
    }

    [Theory]
    [MemberData(nameof(BothTransports))]
    public async Task A_batch_larger_than_the_grpc_default_message_limit_round_trips(Transport transport)
    {
        // 2048 rows of 1024 FP32 are 8 MiB each way: past gRPC's default limit (4 MiB) and the batch socket's buffer (64 KiB).
        await using var worker = await RunningWorker.StartOnnxAsync("wide", TestModels.Identity(DataType.Fp32, -1, 1024), transport: transport);
        InferenceRequest[] large = [new("wide", [TestTensors.Create("input", DataType.Fp32, 2048, 1024, seed: 7)])];
        InferenceRequest[] small = [new("wide", [TestTensors.Create("input", DataType.Fp32, 1, 1024, seed: 8)])];

        // Large, small, large: a frame in a buffer of its own, then one in the connection's buffer, and again.
        var first = await worker.Client.ExecuteAsync(large).AsTask().WaitAsync(RunningWorker.Timeout);
        var second = await worker.Client.ExecuteAsync(small).AsTask().WaitAsync(RunningWorker.Timeout);
        var third = await worker.Client.ExecuteAsync(large).AsTask().WaitAsync(RunningWorker.Timeout);

        Same.Tensor(large[0].Inputs[0].WithName("output"), first.Outputs![0][0]);
        Same.Tensor(small[0].Inputs[0].WithName("output"), second.Outputs![0][0]);
        Same.Tensor(large[0].Inputs[0].WithName("output"), third.Outputs![0][0]);
        AssertWentOver(transport, worker, batches: 3);
    }

    private static void AssertWentOver(Transport transport, RunningWorker worker, int batches) =>
        Assert.Equal(transport == Transport.BatchSocket ? batches : 0, worker.BatchSocketBatches);
}
