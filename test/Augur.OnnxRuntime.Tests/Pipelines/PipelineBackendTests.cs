using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Sharing;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>The pipeline backend: a batch run through every step equals the steps run one by one, and bad pipelines are refused at load.</summary>
public sealed class PipelineBackendTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    // Every featurizer once: text n-grams, scaled amounts and a one-hot city side by side into an ONNX head, and the city's
    // hash bucket beside it. 32 + 2 + 3 = 37 features.
    private const string Mixed = """
        {
          "inputs": [
            {"name": "review", "datatype": "BYTES", "shape": [-1, 1]},
            {"name": "amounts", "datatype": "FP32", "shape": [-1, 2]},
            {"name": "city", "datatype": "BYTES", "shape": [-1, 1]}
          ],
          "outputs": ["score", "city_bucket", "scaled"],
          "steps": [
            {"name": "head", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score"}},
            {"name": "join", "featurizer": "concat", "inputs": ["words", "scaled", "city_1h"], "outputs": ["features"]},
            {"name": "words", "featurizer": "text_ngrams", "inputs": ["review"], "outputs": ["words"],
             "settings": {"buckets": 32, "ngram_max": 2}},
            {"name": "scale", "featurizer": "scale", "inputs": ["amounts"], "outputs": ["scaled"],
             "settings": {"offset": [10, 0.5], "scale": [0.1, 2]}},
            {"name": "city_1h", "featurizer": "one_hot", "inputs": ["city"], "outputs": ["city_1h"],
             "settings": {"categories": ["paris", "oslo", "lima"]}},
            {"name": "city_hash", "featurizer": "hash_buckets", "inputs": ["city"], "outputs": ["city_bucket"], "settings": {"buckets": 100}}
          ]
        }
        """;

    private const int MixedWidth = 37;

    private static readonly string[] Reviews = ["Great food", "", "slow  service\tand COLD food", "great great great", "not bad at all", "ok"];
    private static readonly float[] Amounts = [12, 0.5f, 3.25f, -1, 100, 0, 7, 7, 0, 1, -2.5f, 9];
    private static readonly string[] Cities = ["oslo", "paris", "rome", "lima", "", "Oslo"];

    private static ModelLoadContext Context(string model, string directory) =>
        new(model, 1, directory, ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System);

    private static InferenceRequest Rows(int first, int count) => new("mixed",
    [
        InferenceTensor.CreateStrings("review", Reviews[first..(first + count)], count, 1),
        InferenceTensor.Create("amounts", Amounts[(2 * first)..(2 * (first + count))], count, 2),
        InferenceTensor.CreateStrings("city", Cities[first..(first + count)], count, 1),
    ]);

    [Fact]
    public async Task A_batch_of_requests_of_different_rows_gets_what_running_the_steps_one_by_one_gives()
    {
        var head = PipelineFolders.LinearHead(MixedWidth);
        var directory = PipelineFolders.Write(_repository.Path, "mixed", Mixed, ("head.onnx", head));
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = false }));
        await using var model = await backend.LoadAsync(Context("mixed", directory), CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        InferenceRequest[] batch = [Rows(0, 1), Rows(1, 2), Rows(3, 3)];

        var result = await instance.ExecuteAsync(batch, CancellationToken.None);

        Assert.Null(result.Error);
        var expected = StepByStep(head, Rows(0, 6));
        var row = 0;
        for (var r = 0; r < batch.Length; r++)
        {
            var rows = (int)batch[r].Inputs[0].Shape[0];
            var outputs = result.Outputs![r];
            Assert.Equal(["score", "city_bucket", "scaled"], outputs.Select(o => o.Name));
            Assert.Equal([rows, 1L], outputs[0].Shape.ToArray());
            Assert.Equal(expected.Score[row..(row + rows)], outputs[0].ToArray<float>());
            Assert.Equal(expected.CityBucket[row..(row + rows)], outputs[1].ToArray<long>());
            Assert.Equal(expected.Scaled[(2 * row)..(2 * (row + rows))], outputs[2].ToArray<float>());
            row += rows;
        }
    }

    [Fact]
    public async Task A_request_alone_gets_what_its_steps_give_and_the_signature_is_the_pipelines()
    {
        var head = PipelineFolders.LinearHead(MixedWidth);
        var directory = PipelineFolders.Write(_repository.Path, "mixed", Mixed, ("head.onnx", head));
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = false }));
        await using var model = await backend.LoadAsync(Context("mixed", directory), CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);

        var result = await instance.ExecuteAsync([Rows(2, 4)], CancellationToken.None);

        var expected = StepByStep(head, Rows(2, 4));
        Assert.Equal(expected.Score, result.Outputs![0][0].ToArray<float>());
        Assert.Equal(expected.CityBucket, result.Outputs[0][1].ToArray<long>());
        Assert.Equal(["review: BYTES [-1,1]", "amounts: FP32 [-1,2]", "city: BYTES [-1,1]"], model.Signature.Inputs.Select(i => i.ToString()));
        Assert.Equal(["score: FP32 [-1,1]", "city_bucket: INT64 [-1,1]", "scaled: FP32 [-1,2]"], model.Signature.Outputs.Select(o => o.ToString()));
    }

    /// <summary>The pipeline's computation, step by step: featurizers called directly, the head in a session of its own.</summary>
    private static (float[] Score, long[] CityBucket, float[] Scaled) StepByStep(byte[] head, InferenceRequest request)
    {
        var review = request.FindInput("review")!;
        var amounts = request.FindInput("amounts")!;
        var city = request.FindInput("city")!;
        var words = Featurize.Run(Featurize.Create("text_ngrams", """{"buckets": 32, "ngram_max": 2}"""), review);
        var scaled = Featurize.Run(Featurize.Create("scale", """{"offset": [10, 0.5], "scale": [0.1, 2]}"""), amounts);
        var oneHot = Featurize.Run(Featurize.Create("one_hot", """{"categories": ["paris", "oslo", "lima"]}"""), city);
        var features = Featurize.Run(Featurize.Create("concat"), words, scaled, oneHot);
        var bucket = Featurize.Run(Featurize.Create("hash_buckets", """{"buckets": 100}"""), city);
        using var session = new InferenceSession(head);
        using var input = OrtTestTensors.Create(DataType.Fp32, features.ToArray<float>(), features.Shape.ToArray());
        using var outputs = OrtTestTensors.Run(session, ("features", input));
        return (OrtTestTensors.Read<float>(outputs[0]), bucket.ToArray<long>(), scaled.ToArray<float>());
    }

    [Fact]
    public async Task Bad_pipelines_are_refused_at_load_naming_the_step_and_the_other_models_serve()
    {
        const string Featurize = """{"name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["features"], "settings": {"buckets": 8}}""";
        const string Classify = """{"name": "classify", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score"}}""";
        static string Pipeline(string steps, string outputs = "score") =>
            $$"""{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["{{outputs}}"], "steps": [{{steps}}]}""";
        var head = PipelineFolders.LinearHead(8);
        PipelineFolders.Write(_repository.Path, "good", Pipeline($"{Featurize}, {Classify}"), ("head.onnx", head));
        PipelineFolders.Write(_repository.Path, "cycle", Pipeline(
            """
            {"name": "left", "featurizer": "concat", "inputs": ["features", "right_out"], "outputs": ["left_out"]},
            {"name": "right", "featurizer": "concat", "inputs": ["left_out", "features"], "outputs": ["right_out"]},
            """ + Featurize, "left_out"));
        PipelineFolders.Write(_repository.Path, "type_mismatch", Pipeline($"{Featurize}, {Classify}"), ("head.onnx", PipelineFolders.LinearHead(8, DataType.Fp64)));
        PipelineFolders.Write(_repository.Path, "shape_mismatch", Pipeline($"{Featurize}, {Classify}"), ("head.onnx", PipelineFolders.LinearHead(16)));
        PipelineFolders.Write(_repository.Path, "unknown_featurizer", Pipeline(Featurize.Replace("text_ngrams", "tf_idf", StringComparison.Ordinal), "features"));
        PipelineFolders.Write(_repository.Path, "unknown_setting", Pipeline(Featurize.Replace("\"buckets\": 8", "\"buckets\": 8, \"stemming\": true", StringComparison.Ordinal), "features"));
        PipelineFolders.Write(_repository.Path, "missing_onnx", Pipeline($"{Featurize}, {Classify}"));
        PipelineFolders.Write(_repository.Path, "unproduced_output", Pipeline($"{Featurize}, {Classify}", "probability"), ("head.onnx", head));
        PipelineFolders.Write(_repository.Path, "corrupt_onnx", Pipeline($"{Featurize}, {Classify}"), ("head.onnx", [0x08, 0x01, 0xFF]));
        TestModels.WriteModel(_repository.Path, "plain", TestModels.Identity(DataType.Fp32, -1, 2));

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var reasons = engine.Models.ToDictionary(m => m.Name, m => m.State == ModelState.Ready ? "ready" : m.Versions[0].Reason);
        Assert.Equal("ready", reasons["good"]);
        Assert.Equal("ready", reasons["plain"]);
        Assert.Equal("pipeline.json: the data flow has a cycle: step 'left' (concat) → (left_out) → step 'right' (concat) → (right_out) → step 'left' (concat)", reasons["cycle"]);
        Assert.Equal("pipeline.json: step 'classify' (head.onnx) feeds tensor 'features' (FP32 [-1,8], from step 'featurize') to graph input 'features', which is FP64 [-1,8]: the datatypes disagree", reasons["type_mismatch"]);
        Assert.Equal("pipeline.json: step 'classify' (head.onnx) feeds tensor 'features' (FP32 [-1,8], from step 'featurize') to graph input 'features', which is FP32 [-1,16]: the shapes disagree", reasons["shape_mismatch"]);
        Assert.Equal("pipeline.json: step 'featurize': unknown featurizer 'tf_idf'; known: scale, one_hot, hash_buckets, text_ngrams, concat", reasons["unknown_featurizer"]);
        Assert.Equal("pipeline.json: step 'featurize': unknown setting 'stemming' for text_ngrams; known: buckets, ngram_min, ngram_max, lowercase, seed", reasons["unknown_setting"]);
        Assert.Equal($"pipeline.json: step 'classify' (head.onnx): head.onnx is not in the version folder {Path.Combine(_repository.Path, "missing_onnx", "1")}", reasons["missing_onnx"]);
        Assert.Equal("pipeline.json: output 'probability' is never produced: no pipeline input or step defines it; defined: text, features, score", reasons["unproduced_output"]);
        Assert.StartsWith("pipeline.json: step 'classify' (head.onnx): could not be loaded: head.onnx is not a valid ONNX model", reasons["corrupt_onnx"]);

        var good = await engine.InferAsync(new InferenceRequest("good", [InferenceTensor.CreateStrings("text", ["a b", "c"], 2, 1)])).AsTask().WaitAsync(Timeout);
        var plain = await engine.InferAsync(new InferenceRequest("plain", [InferenceTensor.Create("input", new[] { 1f, 2f }, 1, 2)])).AsTask().WaitAsync(Timeout);
        Assert.Equal([2L, 1L], good["score"].Shape.ToArray());
        Assert.Equal([1f, 2f], plain["output"].ToArray<float>());
    }

    [Fact]
    public async Task A_dynamic_dimension_a_featurizer_cannot_take_is_a_400_naming_the_step()
    {
        PipelineFolders.Write(_repository.Path, "scaler", """
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, -1]}], "outputs": ["y"],
             "steps": [{"name": "normalize", "featurizer": "scale", "inputs": ["x"], "outputs": ["y"], "settings": {"offset": [1, 2], "scale": [2, 2]}}]}
            """);
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var wrong = await engine.TryInferAsync(new InferenceRequest("scaler", [InferenceTensor.Create("x", new float[3], 1, 3)])).AsTask().WaitAsync(Timeout);
        var right = await engine.InferAsync(new InferenceRequest("scaler", [InferenceTensor.Create("x", new[] { 2f, 3f }, 1, 2)])).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.InvalidArgument, wrong.Error?.Code);
        Assert.Equal("model 'scaler': step 'normalize' (scale): scale reads [B, 2], but tensor 'x' has shape [1,3]", wrong.Error!.Message);
        Assert.Equal([2f, 2f], right["y"].ToArray<float>());
    }

    [Fact]
    public async Task Identical_weights_of_steps_and_of_other_models_are_held_once_unless_the_pipeline_turns_sharing_off()
    {
        var encoder = TenantModels.Encoder();
        TestModels.WriteModel(_repository.Path, "tenant", TenantModels.Model(encoder, TenantModels.Head(1)));
        const string TwoHeads = """
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 64]}], "outputs": ["y1", "y2"],
             "steps": [
               {"name": "first", "onnx": "first.onnx", "inputs": {"x": "x"}, "outputs": {"y": "y1"}},
               {"name": "second", "onnx": "second.onnx", "inputs": {"x": "x"}, "outputs": {"y": "y2"}}]}
            """;
        (string, byte[])[] graphs = [("first.onnx", TenantModels.Model(encoder, TenantModels.Head(1))), ("second.onnx", TenantModels.Model(encoder, TenantModels.Head(2)))];
        PipelineFolders.Write(_repository.Path, "two_heads", TwoHeads, graphs);
        PipelineFolders.Write(_repository.Path, "unshared", TwoHeads, graphs);
        _repository.WriteConfig("unshared", """{"backend_settings": {"onnxruntime": {"share_weights": false}}}""");
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions());

        await using (var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(new PipelineBackend(onnxRuntime)).AddBackend(onnxRuntime).BuildAsync().WaitAsync(Timeout))
        {
            Assert.All(engine.Models, m => Assert.True(m.State == ModelState.Ready, $"{m.Name}: {m.Reason}"));
            // One encoder held, leased by the tenant and by both steps of two_heads: two copies saved.
            Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, 2 * TenantModels.EncoderBytes), onnxRuntime.SharedInitializers.Totals);
            var tenant = await engine.InferAsync(TenantModels.Request("tenant")).AsTask().WaitAsync(Timeout);
            var request = TenantModels.Request("two_heads");
            var shared = await engine.InferAsync(request).AsTask().WaitAsync(Timeout);
            var unshared = await engine.InferAsync(new InferenceRequest("unshared", request.Inputs)).AsTask().WaitAsync(Timeout);
            Assert.Equal(tenant["y"].Data.ToArray(), shared["y1"].Data.ToArray());
            Assert.Equal(unshared["y1"].Data.ToArray(), shared["y1"].Data.ToArray());
            Assert.Equal(unshared["y2"].Data.ToArray(), shared["y2"].Data.ToArray());
            Assert.NotEqual(shared["y1"].Data.ToArray(), shared["y2"].Data.ToArray());
        }

        Assert.Equal(default, onnxRuntime.SharedInitializers.Totals);
    }

    [Fact]
    public async Task A_model_that_asks_for_the_pipeline_backend_without_a_pipeline_json_is_told_so()
    {
        TestModels.WriteModel(_repository.Path, "plain", TestModels.Identity(DataType.Fp32, -1, 2));
        _repository.WriteConfig("plain", """{"backend": "pipeline"}""");

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal($"the version folder {Path.Combine(_repository.Path, "plain", "1")} holds no pipeline.json for the pipeline backend", status.Versions[0].Reason);
    }

    [Fact]
    public async Task The_pipeline_backend_knows_fuse_only()
    {
        PipelineFolders.Write(_repository.Path, "hashes", """
            {"inputs": [{"name": "x", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["h"],
             "steps": [{"name": "hash", "featurizer": "hash_buckets", "inputs": ["x"], "outputs": ["h"], "settings": {"buckets": 8}}]}
            """);
        _repository.WriteConfig("hashes", """{"backend_settings": {"pipeline": {"intra_op_threads": 2}}}""");

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal("unknown setting backend_settings.pipeline.intra_op_threads; known: fuse, share_subplans, sparse_heads (session settings of the ONNX steps are backend_settings.onnxruntime)", status.Versions[0].Reason);
    }
}
