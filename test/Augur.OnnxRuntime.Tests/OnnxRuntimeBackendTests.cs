using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Onnx;
using Augur.Testing;
using Augur.Testing.Fakes;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests;

/// <summary>The ONNX Runtime backend through the engine: what a value the signature cannot rule out gets.</summary>
public sealed class OnnxRuntimeBackendTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_value_the_model_refuses_at_run_time_is_a_400_naming_the_model_and_the_next_request_works()
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, "lookup", LookupModel());
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var bad = await engine.TryInferAsync(new InferenceRequest("lookup", [InferenceTensor.Create("index", new long[] { 10 }, 1)])).AsTask().WaitAsync(Timeout);
        var good = await engine.InferAsync(new InferenceRequest("lookup", [InferenceTensor.Create("index", new long[] { 2 }, 1)])).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.InvalidArgument, bad.Error?.Code);
        Assert.StartsWith("model 'lookup' could not run on this input:", bad.Error!.Message);
        Assert.Equal([20f], good["value"].ToArray<float>());
    }

    [Fact]
    public async Task Threads_parameter_that_is_not_a_number_makes_only_that_model_unavailable()
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, "lookup", LookupModel());
        TestModels.WriteModel(repository.Path, "bad_threads", LookupModel());
        repository.WriteConfig("bad_threads", """{"parameters": {"intra_op_threads": "many"}}""");
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var statuses = engine.Models.ToDictionary(m => m.Name);
        Assert.Equal(ModelState.Ready, statuses["lookup"].State);
        Assert.Equal(ModelState.Unavailable, statuses["bad_threads"].State);
        Assert.Contains("intra_op_threads must be an integer from 1 to 256, not 'many'", statuses["bad_threads"].Reason);
    }

    [Theory]
    [InlineData("""{"backend": "onnxruntime", "backend_settings": {"onnxruntime": {"intra_op_threads": 2, "inter_op_threads": 1, "optimize_graph": false, "share_weights": false}}}""", null)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"intra_op_thread": 2}}}""", "unknown setting backend_settings.onnxruntime.intra_op_thread; known: intra_op_threads, inter_op_threads, optimize_graph, share_weights, global_thread_pool, shared_arena, share_subplans")]
    [InlineData("""{"backend_settings": {"onnxruntime": {"intra_op_threads": "2"}}}""", "backend_settings.onnxruntime.intra_op_threads must be an integer from 1 to 256, not \"2\"")]
    [InlineData("""{"backend_settings": {"onnxruntime": {"optimize_graph": 1}}}""", "backend_settings.onnxruntime.optimize_graph must be true or false, not 1")]
    public async Task The_typed_settings_section_is_read_and_its_mistakes_named(string config, string? reason)
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, "lookup", LookupModel());
        repository.WriteConfig("lookup", config);
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(reason is null ? ModelState.Ready : ModelState.Unavailable, status.State);
        Assert.Equal(reason, status.Versions[0].Reason);
    }

    [Fact]
    public async Task Unknown_backend_parameter_makes_only_that_model_unavailable_and_names_it()
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, "typo", LookupModel());
        repository.WriteConfig("typo", """{"parameters": {"intra_op_thread": "2"}}""");
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Contains("unknown parameter 'intra_op_thread' for the ONNX Runtime backend", status.Reason);
    }

    [Fact]
    public async Task Default_warm_up_that_fails_on_guessed_dimensions_warns_and_serves_but_an_explicit_one_fails_the_version()
    {
        using var repository = new TempRepository();
        TestModels.WriteModel(repository.Path, "guessed", ConvModel());
        TestModels.WriteModel(repository.Path, "explicit", ConvModel());
        repository.WriteConfig("explicit", """{"warmup": {"iterations": 1}}""");
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var statuses = engine.Models.ToDictionary(m => m.Name);
        Assert.Equal(ModelState.Ready, statuses["guessed"].State);
        Assert.Equal(ModelState.Unavailable, statuses["explicit"].State);
        Assert.Contains("warm-up failed", statuses["explicit"].Reason);
        var response = await engine.InferAsync(new InferenceRequest("guessed", [InferenceTensor.Create("image", new float[16], 1, 1, 4, 4)])).AsTask().WaitAsync(Timeout);
        Assert.Equal([1L, 1, 2, 2], response["features"].Shape.ToArray());
    }

    // A 3x3 convolution without padding over an image of any size: the 1x1 image warm-up guesses is too small.
    private static byte[] ConvModel()
    {
        var builder = new OnnxGraphBuilder("conv")
            .AddInput("image", DataType.Fp32, -1, 1, -1, -1)
            .AddOutput("features", DataType.Fp32, -1, 1, -1, -1);
        var kernel = builder.AddInitializer("kernel", Enumerable.Repeat(1f / 9, 9).ToArray(), 1, 1, 3, 3);
        builder.AddNode("Conv", ["image", kernel], ["features"], OnnxAttribute.Ints("kernel_shape", 3, 3));
        return builder.ToBytes();
    }

    // value = table[index] with table = [0, 10, 20, 30, 40]: any index outside 0..4 fails inside ONNX Runtime.
    private static byte[] LookupModel()
    {
        var builder = new OnnxGraphBuilder("lookup")
            .AddInput("index", DataType.Int64, -1)
            .AddOutput("value", DataType.Fp32, -1);
        var table = builder.AddInitializer("table", [0f, 10f, 20f, 30f, 40f], 5);
        builder.AddNode("Gather", [table, "index"], ["value"], OnnxAttribute.Int("axis", 0));
        return builder.ToBytes();
    }
}
