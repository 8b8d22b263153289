using System.Text.Json;
using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Samples;
using Augur.OnnxRuntime.Tests.Pipelines;
using Augur.OnnxRuntime.Tests.Sharing;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Sparse linear heads through the pipeline backend and the engine (design note 0017): the answers are those of the
/// steps run densely in ONNX Runtime within tolerance, shared or not; the plan and the log say how each ONNX step runs
/// and why not; the switch in config.json and the backend's default; bad input gets the same 400s.
/// </summary>
public sealed class SparseHeadPipelineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    // Text n-grams, scaled amounts (also an output, so made dense) and a one-hot city side by side into the head.
    private const string Mixed = """
        {
          "inputs": [
            {"name": "review", "datatype": "BYTES", "shape": [-1, 1]},
            {"name": "amounts", "datatype": "FP32", "shape": [-1, -1]},
            {"name": "city", "datatype": "BYTES", "shape": [-1, 1]}
          ],
          "outputs": ["score", "logit", "scaled"],
          "steps": [
            {"name": "head", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score", "logit": "logit"}},
            {"name": "join", "featurizer": "concat", "inputs": ["words", "scaled", "city_1h"], "outputs": ["features"]},
            {"name": "words", "featurizer": "text_ngrams", "inputs": ["review"], "outputs": ["words"], "settings": {"buckets": 32, "ngram_max": 2}},
            {"name": "scale", "featurizer": "scale", "inputs": ["amounts"], "outputs": ["scaled"], "settings": {"offset": [10, 0.5], "scale": [0.1, 2]}},
            {"name": "city_1h", "featurizer": "one_hot", "inputs": ["city"], "outputs": ["city_1h"], "settings": {"categories": ["paris", "oslo", "lima"]}}
          ]
        }
        """;

    // The numeric family: scaled columns and a hashed category one-hot, concatenated into a logistic head.
    private const string Numeric = """
        {
          "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 3]}, {"name": "category", "datatype": "BYTES", "shape": [-1, 1]}],
          "outputs": ["probability"],
          "steps": [
            {"name": "normalize", "featurizer": "scale", "inputs": ["x"], "outputs": ["scaled"], "settings": {"offset": [1, 2, 3], "scale": [0.5, 0.25, 2]}},
            {"name": "hash", "featurizer": "hash_buckets", "inputs": ["category"], "outputs": ["bucket"], "settings": {"buckets": 16, "seed": 3}},
            {"name": "bucket_1h", "featurizer": "one_hot", "inputs": ["bucket"], "outputs": ["bucket_1h"],
             "settings": {"categories": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]}},
            {"name": "join", "featurizer": "concat", "inputs": ["scaled", "bucket_1h"], "outputs": ["features"]},
            {"name": "classify", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "probability"}}
          ]
        }
        """;

    private static readonly string[] Reviews = ["Great food", "", "slow  service\tand COLD food", "great great great", "not bad at all", "ok"];
    private static readonly float[] Amounts = [12, 0.5f, 3.25f, -1, 100, 0, 7, 7, 0, 1, -2.5f, 9];
    private static readonly string[] Cities = ["oslo", "paris", "rome", "lima", "", "Oslo"];

    private static InferenceRequest MixedRows(int first, int count) => new("mixed",
    [
        InferenceTensor.CreateStrings("review", Reviews[first..(first + count)], count, 1),
        InferenceTensor.Create("amounts", Amounts[(2 * first)..(2 * (first + count))], count, 2),
        InferenceTensor.CreateStrings("city", Cities[first..(first + count)], count, 1),
    ]);

    private static InferenceRequest NumericRows(string model, int first, int count) => new(model,
    [
        InferenceTensor.Create("x", Enumerable.Range(3 * first, 3 * count).Select(i => MathF.Cos(i) * 4).ToArray(), count, 3),
        InferenceTensor.CreateStrings("category", Enumerable.Range(first, count).Select(i => $"category {i % 7}").ToArray(), count, 1),
    ]);

    private static ModelLoadContext Context(string model, string directory, string settings = "{}") =>
        new(model, 1, directory, ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System) { Settings = JsonDocument.Parse(settings).RootElement.Clone() };

    private static async Task<BatchResult> RunAsync(OnnxRuntimeOptions options, ModelLoadContext context, IReadOnlyList<InferenceRequest> batch)
    {
        var backend = new PipelineBackend(new OnnxRuntimeBackend(options));
        await using var model = await backend.LoadAsync(context, CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        return await instance.ExecuteAsync(batch, CancellationToken.None);
    }

    private static void AssertClose(BatchResult expected, BatchResult actual)
    {
        Assert.True(expected.Error is null, expected.Error?.Message);
        Assert.True(actual.Error is null, actual.Error?.Message);
        Assert.Equal(expected.Outputs!.Count, actual.Outputs!.Count);
        for (var r = 0; r < expected.Outputs.Count; r++)
        {
            Assert.Equal(expected.Outputs[r].Select(o => (o.Name, o.DataType, string.Join(',', o.Shape.ToArray()))), actual.Outputs[r].Select(o => (o.Name, o.DataType, string.Join(',', o.Shape.ToArray()))));
            for (var o = 0; o < expected.Outputs[r].Count; o++)
            {
                Tolerance.AssertClose(expected.Outputs[r][o].ToArray<float>(), actual.Outputs[r][o].ToArray<float>());
            }
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task A_batch_of_requests_through_a_sparse_head_gets_the_dense_steps_answers_within_tolerance(bool share, bool fuse)
    {
        var directory = PipelineFolders.Write(_repository.Path, "mixed", Mixed, ("head.onnx", PipelineFolders.LinearHead(37)));
        InferenceRequest[] batch = [MixedRows(0, 1), MixedRows(1, 2), MixedRows(3, 3)];
        var dense = new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false, SparseHeads = false };
        var sparse = new OnnxRuntimeOptions { ShareSubPlans = share, FusePipelines = false };

        AssertClose(await RunAsync(dense, Context("mixed", directory), batch), await RunAsync(sparse, Context("mixed", directory), batch));
        AssertClose(await RunAsync(dense, Context("mixed", directory), [MixedRows(2, 4)]), await RunAsync(sparse, Context("mixed", directory), [MixedRows(2, 4)]));

        // Fusion on and no shared prefix: fused, dense, as before.
        if (fuse && !share)
        {
            var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false }));
            await using var model = await backend.LoadAsync(Context("mixed", directory), CancellationToken.None);
            Assert.IsType<FusedPipelineModel>(model);
        }
    }

    [Fact]
    public async Task The_plan_shows_the_head_in_csharp_the_featurizers_giving_it_sparse_rows_and_the_dense_part()
    {
        var directory = PipelineFolders.Write(_repository.Path, "mixed", Mixed, ("head.onnx", PipelineFolders.LinearHead(37)));
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        await using var model = await backend.LoadAsync(Context("mixed", directory), CancellationToken.None);

        var plan = Assert.IsAssignableFrom<IExplainsPlan>(model).Plan;

        var steps = plan.Steps.ToDictionary(s => s.Name, s => s.Runs);
        Assert.Equal("sparse linear head (37 × 1 weights, in C#)", steps["head"]);
        Assert.Equal("concat {}, as sparse rows into step 'head'", steps["join"]);
        Assert.Equal("""text_ngrams {"buckets":32,"ngram_max":2}, as sparse rows into step 'head'""", steps["words"]);
        Assert.Equal("""one_hot {"categories":["paris","oslo","lima"]}, as sparse rows into step 'head'""", steps["city_1h"]);
        Assert.Equal("""scale {"offset":[10,0.5],"scale":[0.1,2]}""", steps["scale"]);
        var (step, users) = Assert.Single(backend.SharedSteps.Snapshot(), s => s.Step.Description.StartsWith("sparse rows", StringComparison.Ordinal));
        Assert.All(["join", "words", "city_1h"], name => Assert.Equal(step.Fingerprint, plan.Steps.Single(s => s.Name == name).SharedKey));
        Assert.Contains(plan.Shared, r => r.Key == step.Fingerprint);
        Assert.Equal(["mixed version 1"], users);
    }

    [Fact]
    public async Task A_head_that_is_not_linear_or_whose_input_is_also_an_output_runs_in_onnx_runtime_and_the_plan_says_why()
    {
        var relu = new Onnx.OnnxGraphBuilder("head").AddInput("features", DataType.Fp32, -1, 8).AddOutput("score", DataType.Fp32, -1, 1);
        var w = relu.AddInitializer("w", Enumerable.Repeat(0.5f, 8).ToArray(), 8, 1);
        var notLinear = relu.AddNode("MatMul", ["features", w], ["p"]).AddNode("Relu", ["p"], ["score"]).ToBytes();
        const string Pipeline = """
            {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": [OUTPUTS],
             "steps": [{"name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["features"], "settings": {"buckets": 8}},
                       {"name": "classify", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score"}}]}
            """;
        var reluDirectory = PipelineFolders.Write(_repository.Path, "relu", Pipeline.Replace("OUTPUTS", "\"score\"", StringComparison.Ordinal), ("head.onnx", notLinear));
        var outputDirectory = PipelineFolders.Write(_repository.Path, "both", Pipeline.Replace("OUTPUTS", "\"score\", \"features\"", StringComparison.Ordinal), ("head.onnx", PipelineFolders.LinearHead(8)));
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));

        await using var reluModel = await backend.LoadAsync(Context("relu", reluDirectory), CancellationToken.None);
        await using var bothModel = await backend.LoadAsync(Context("both", outputDirectory), CancellationToken.None);

        Assert.Equal("ONNX Runtime session (head.onnx); not a sparse linear head: node 'Relu_1' is Relu; a linear head sums MatMul, Gemm and ReduceSum(Gather) terms and biases with Add, then optionally applies Sigmoid",
            ((IExplainsPlan)reluModel).Plan.Steps.Single(s => s.Name == "classify").Runs);
        Assert.Equal("ONNX Runtime session (head.onnx); not a sparse linear head: tensor 'features' is a pipeline output, so it is made dense",
            ((IExplainsPlan)bothModel).Plan.Steps.Single(s => s.Name == "classify").Runs);
        await using var instance = await bothModel.CreateInstanceAsync(0, CancellationToken.None);
        Assert.Null((await instance.ExecuteAsync([new InferenceRequest("both", [InferenceTensor.CreateStrings("text", ["a b"], 1, 1)])], CancellationToken.None)).Error);
    }

    [Fact]
    public async Task Numeric_pipelines_share_their_sparse_rows_and_get_the_dense_answers_within_tolerance()
    {
        var head = PipelineFolders.LinearHead(19);
        var a = PipelineFolders.Write(_repository.Path, "numeric_a", Numeric, ("head.onnx", head));
        var b = PipelineFolders.Write(_repository.Path, "numeric_b", Numeric, ("head.onnx", head));
        var dense = new OnnxRuntimeOptions { FusePipelines = false, SparseHeads = false };
        var expected = await RunAsync(dense, Context("numeric_a", a), [NumericRows("numeric_a", 0, 5)]);
        var expectedB = await RunAsync(dense, Context("numeric_b", b), [NumericRows("numeric_b", 0, 2), NumericRows("numeric_b", 2, 3)]);
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        await using var modelA = await backend.LoadAsync(Context("numeric_a", a), CancellationToken.None);
        await using var modelB = await backend.LoadAsync(Context("numeric_b", b), CancellationToken.None);
        await using var instanceA = await modelA.CreateInstanceAsync(0, CancellationToken.None);
        await using var instanceB = await modelB.CreateInstanceAsync(0, CancellationToken.None);

        AssertClose(expected, await instanceA.ExecuteAsync([NumericRows("numeric_a", 0, 5)], CancellationToken.None));
        AssertClose(expectedB, await instanceB.ExecuteAsync([NumericRows("numeric_b", 0, 2), NumericRows("numeric_b", 2, 3)], CancellationToken.None));

        // The hash runs dense (its output is bucket ids), shared; the scale, one-hot and concat are one shared sparse step.
        var snapshot = backend.SharedSteps.Snapshot();
        Assert.Equal(2, snapshot.Count);
        Assert.All(snapshot, s => Assert.Equal(["numeric_a version 1", "numeric_b version 1"], s.Users));
        var sparse = Assert.Single(snapshot, s => s.Step.Description.StartsWith("sparse rows", StringComparison.Ordinal)).Step;
        Assert.Equal("""sparse rows concat(scale {"offset":[1,2,3],"scale":[0.5,0.25,2]}(#0), one_hot {"categories":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}(#1))""", sparse.Description);
        Assert.Equal(2, sparse.Calls);
        Assert.Equal("sparse linear head (19 × 1 weights, in C#)", ((IExplainsPlan)modelA).Plan.Steps.Single(s => s.Name == "classify").Runs);
    }

    [Fact]
    public async Task The_sentiment_sample_served_by_the_engine_runs_its_head_in_csharp_without_a_session_within_tolerance()
    {
        CopySentiment("sentiment");
        CopySentiment("dense");
        _repository.WriteConfig("dense", """{"backend_settings": {"pipeline": {"sparse_heads": false}}}""");
        CopySentiment("bad");
        _repository.WriteConfig("bad", """{"backend_settings": {"pipeline": {"sparse_heads": 1}}}""");
        var logs = new ListLoggerFactory();
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions());
        string[] reviews = ["The food was great and the staff friendly", "not good and the soup was cold", "Not bad at all", "", "NEVER AGAIN  terrible\tservice", "no complaints, CAFÉ İyi"];

        await using (var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseLoggerFactory(logs)
            .AddBackend(new PipelineBackend(onnxRuntime)).AddBackend(onnxRuntime).BuildAsync().WaitAsync(Timeout))
        {
            Assert.Equal("backend_settings.pipeline.sparse_heads must be true or false, not 1", engine.Models.Single(m => m.Name == "bad").Versions[0].Reason);
            var sparse = await engine.InferAsync(new InferenceRequest("sentiment", [InferenceTensor.CreateStrings("text", reviews, reviews.Length, 1)])).AsTask().WaitAsync(Timeout);
            var dense = await engine.InferAsync(new InferenceRequest("dense", [InferenceTensor.CreateStrings("text", reviews, reviews.Length, 1)])).AsTask().WaitAsync(Timeout);

            Tolerance.AssertClose(dense["probability"].ToArray<float>(), sparse["probability"].ToArray<float>());
            Tolerance.AssertClose(reviews.Select(SentimentModel.Probability).ToArray(), sparse["probability"].ToArray<float>());
            var plans = engine.Plans().ToDictionary(p => p.Model, p => p.Plan!);
            Assert.Equal("sparse linear head (4096 × 1 weights, in C#)", plans["sentiment"].Steps.Single(s => s.Name == "classify").Runs);
            Assert.Equal("ONNX Runtime session (classifier.onnx)", plans["dense"].Steps.Single(s => s.Name == "classify").Runs);
            // Only the dense model holds the head's 16 KiB of weights in a session; the sparse one let its session go.
            Assert.Equal(new Augur.OnnxRuntime.Sharing.SharedWeightTotals(1, SentimentModel.Buckets * sizeof(float), 0), onnxRuntime.SharedInitializers.Totals);
        }

        Assert.Contains(logs.Messages, m => m.EventId == 3124 && m.Message ==
            "Model sentiment version 1: step 'classify' (classifier.onnx) runs as a sparse linear head (4096 × 1 weights, in C#), its featurizers giving sparse rows; no ONNX Runtime session");
        Assert.DoesNotContain(logs.Messages, m => m.EventId == 3124 && m.Message.StartsWith("Model dense", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_backends_default_off_runs_the_head_in_onnx_runtime_unless_the_model_says_true()
    {
        CopySentiment("a");
        var directory = Path.Combine(_repository.Path, "a", "1");
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = false }));

        await using (var off = await backend.LoadAsync(Context("a", directory), CancellationToken.None))
        {
            Assert.Equal("ONNX Runtime session (classifier.onnx)", ((IExplainsPlan)off).Plan.Steps.Single(s => s.Name == "classify").Runs);
        }

        await using (var on = await backend.LoadAsync(Context("a", directory, """{"sparse_heads": true}"""), CancellationToken.None))
        {
            Assert.Equal("sparse linear head (4096 × 1 weights, in C#)", ((IExplainsPlan)on).Plan.Steps.Single(s => s.Name == "classify").Runs);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Bad_input_gets_the_same_400_with_sparse_heads_on_or_off(bool sparse)
    {
        CopySentiment("sentiment");
        PipelineFolders.Write(_repository.Path, "mixed", Mixed, ("head.onnx", PipelineFolders.LinearHead(37)));
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime(o => o.SparseHeads = sparse).BuildAsync().WaitAsync(Timeout);
        var notText = InferenceTensor.FromRaw("text", DataType.Bytes, [2, 1], BytesElements.Encode([[(byte)'o', (byte)'k'], [0x61, 0x62, 0xFF]]));
        var wide = new InferenceRequest("mixed",
        [
            InferenceTensor.CreateStrings("review", ["fine"], 1, 1), InferenceTensor.Create("amounts", new[] { 1f, 2f, 3f }, 1, 3), InferenceTensor.CreateStrings("city", ["oslo"], 1, 1),
        ]);

        var text = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(new InferenceRequest("sentiment", [notText])).AsTask().WaitAsync(Timeout));
        var width = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(wide).AsTask().WaitAsync(Timeout));

        Assert.Equal((ErrorCode.InvalidArgument, "model 'sentiment': input 'text' row 1: byte 0xFF at offset 2 is not valid UTF-8; step 'featurize' (text_ngrams) reads it as text"), (text.Error.Code, text.Error.Message));
        Assert.Equal((ErrorCode.InvalidArgument, "model 'mixed': step 'scale' (scale): scale reads [B, 2], but tensor 'amounts' has shape [1,3]"), (width.Error.Code, width.Error.Message));
    }

    private void CopySentiment(string name)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository.Path, name, "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }
}
