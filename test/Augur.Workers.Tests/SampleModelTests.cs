using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Workers.Tests;

/// <summary>Real models through a worker: the answers, the signature and the batch timings agree with in-process serving.</summary>
public sealed class SampleModelTests
{
    [Fact]
    public async Task Fraud_answers_one_row_and_a_batch_of_several_as_in_process_onnx_runtime()
    {
        await using var worker = await RunningWorker.StartOnnxAsync(SampleModels.Fraud, SampleModels.BuildFraud());
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, SampleModels.Fraud);
        InferenceRequest[] one = [Fraud(1, seed: 1)];
        InferenceRequest[] several = [Fraud(1, seed: 2), Fraud(3, seed: 3), Fraud(1, seed: 4), Fraud(2, seed: 5)];

        Same.Outputs(await local.ExecuteAsync(one), await worker.Client.ExecuteAsync(one).AsTask().WaitAsync(RunningWorker.Timeout));
        Same.Outputs(await local.ExecuteAsync(several), await worker.Client.ExecuteAsync(several).AsTask().WaitAsync(RunningWorker.Timeout));
    }

    [Fact]
    public async Task Describe_reports_the_signature_platform_configured_max_batch_size_and_process()
    {
        var config = new ModelConfig { MaxBatchSize = 16 };
        await using var worker = await RunningWorker.StartOnnxAsync(SampleModels.Fraud, SampleModels.BuildFraud(), config);
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, SampleModels.Fraud);

        var description = await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout);

        Assert.Equal((SampleModels.Fraud, 1L, "onnxruntime_onnx", 16, Environment.ProcessId), (description.ModelName, description.Version, description.Platform, description.MaxBatchSize, description.ProcessId));
        Assert.Equal(Format(local.Signature), Format(description.Signature));
        Assert.Equal("features: FP32 [-1,8]", description.Signature.Inputs[0].ToString());
        Assert.Same(description, worker.Client.Description);
        Assert.Equal($"the worker of model 'fraud' version 1 at {worker.Host.Endpoint}", worker.Client.Name);
    }

    [Fact]
    public async Task A_model_without_max_batch_size_in_its_config_describes_none()
    {
        await using var worker = await RunningWorker.StartOnnxAsync(SampleModels.Fraud, SampleModels.BuildFraud());

        Assert.Null((await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout)).MaxBatchSize);
    }

    [Fact]
    public async Task Inputs_go_in_signature_order_whatever_order_the_request_lists_them_in_and_every_output_comes_back()
    {
        await using var worker = await RunningWorker.StartOnnxAsync("casts", TestModels.Casts());
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, "casts");
        InferenceRequest[] batch =
        [
            new("casts", [InferenceTensor.Create("n", new long[] { 1000, -1000, -1 }, 1, 3), InferenceTensor.Create("x", new[] { float.NaN, float.NegativeInfinity, 1e6f }, 1, 3)]),
            new("casts", [InferenceTensor.Create("n", new long[] { 0, 1, 2, 3, 4, 5 }, 2, 3), InferenceTensor.Create("x", new[] { -0f, 1.5f, 65520f, 3e38f, 1e-8f, 2f }, 2, 3)]),
        ];

        var remote = await worker.Client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Same.Outputs(await local.ExecuteAsync(batch), remote);
        Assert.Equal(["half", "brain", "signed", "unsigned"], remote.Outputs![0].Select(o => o.Name));
        Assert.Equal([long.MaxValue, long.MinValue, -1L], remote.Outputs[0][2].ToArray<long>());
        Assert.Equal(ulong.MaxValue, remote.Outputs[0][3].ToArray<ulong>()[2]);
    }

    [Fact]
    public async Task The_same_worker_serves_over_tcp_on_the_port_it_picked()
    {
        await using var worker = await RunningWorker.StartOnnxAsync(SampleModels.Fraud, SampleModels.BuildFraud(), tcp: true);
        await using var local = await InProcessOnnx.LoadAsync(worker.Folder.ModelDirectory, SampleModels.Fraud);
        InferenceRequest[] batch = [Fraud(2, seed: 9)];

        var remote = await worker.Client.ExecuteAsync(batch).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.False(worker.Host.Endpoint.IsUnixSocket);
        Assert.NotEqual(0, worker.Host.Endpoint.Port);
        Assert.StartsWith("http://127.0.0.1:", worker.Host.Endpoint.ToString());
        Same.Outputs(await local.ExecuteAsync(batch), remote);
    }

    private static InferenceRequest Fraud(int rows, int seed)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, rows * 8).Select(_ => (float)random.NextDouble()).ToArray();
        return new InferenceRequest(SampleModels.Fraud, [InferenceTensor.Create("features", features, rows, 8)]);
    }

    private static string Format(ModelSignature signature) =>
        string.Join("; ", signature.Inputs.Select(i => i.ToString())) + " -> " + string.Join("; ", signature.Outputs.Select(o => o.ToString()));
}
