using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;

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
}
