using Augur.Errors;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>How a job ends when the model itself fails: exit code 1, nothing committed for the failed chunk, resumable.</summary>
public sealed class FailureTests
{
    private static readonly ModelSignature Signature = new([new TensorSpec("x", DataType.Fp32, [-1, 2])], [new TensorSpec("y", DataType.Fp32, [-1, 2])]);

    [Fact]
    public async Task A_model_that_fails_ends_the_job_with_code_1_and_the_reason_and_the_state_failed()
    {
        using var folder = new TempFolder();
        using var repository = new TempRepository().AddModel("broken").WriteConfig("broken", """{"max_batch_size": 8, "warmup": {"iterations": 0}}""");
        var backend = new FakeBackend().Register("broken", FakeModelSpec.Failing(Signature, InferenceError.Unavailable("the GPU fell off")));
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).BuildAsync().WaitAsync(BatchHarness.Timeout);
        var input = folder.File("in.csv");
        File.WriteAllLines(input, ["a,b", .. Enumerable.Range(0, 20).Select(i => $"{i},{i + 1}")]);
        var options = new BatchJobOptions { Model = "broken", Input = input, Output = Store(folder.File("out.db")), JobId = "broken", Map = ["x=a,b"], ChunkSize = 5 };

        var result = await RunAsync(engine, options);

        Assert.Equal(BatchExitCode.Failed, result.ExitCode);
        Assert.Equal("inference failed (Unavailable): the GPU fell off", result.Message);
        Assert.Equal((0L, 0L), await CountAsync(options.Output, "broken"));
        await using var store = await Storage.PredictionStore.OpenAsync(options.Output);
        var shard = Assert.Single(await store.GetJobAsync("broken"));
        Assert.Equal(("failed", "inference failed (Unavailable): the GPU fell off"), (shard.State, shard.Message));
    }

    [Fact]
    public async Task An_identity_model_stores_its_input_back_as_output()
    {
        using var folder = new TempFolder();
        using var repository = new TempRepository().AddModel("echo").WriteConfig("echo", """{"max_batch_size": 4, "warmup": {"iterations": 0}}""");
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 2));
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).BuildAsync().WaitAsync(BatchHarness.Timeout);
        var input = folder.File("in.csv");
        File.WriteAllLines(input, ["a,b", .. Enumerable.Range(0, 10).Select(i => $"{i},{i * 10}")]);

        var result = await RunAsync(engine, new BatchJobOptions { Model = "echo", Input = input, Output = Store(folder.File("out.db")), JobId = "echo", Map = ["x=a..b"] });

        Assert.Equal((BatchExitCode.Completed, 10L), (result.ExitCode, result.RowsWritten));
        await using var store = await Storage.PredictionStore.OpenAsync(Store(folder.File("out.db")));
        Assert.Equal("""{"y":[7,70]}""", (await store.GetPredictionAsync("echo", "7"))!.OutputsJson);
        Assert.True(backend.Model("echo").Calls.All(c => c.Batch.Count <= 4), "a request exceeded the model's max batch size");
    }
}
