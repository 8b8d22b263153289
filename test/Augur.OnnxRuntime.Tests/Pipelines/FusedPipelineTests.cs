using System.Text;
using System.Text.Json;
using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Samples;
using Augur.OnnxRuntime.Sharing;
using Augur.OnnxRuntime.Tests.Sharing;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>
/// Fused pipelines (design note 0014): one ONNX Runtime graph gives, bit for bit, what the steps run one by one give, for
/// the sentiment sample and for every featurizer; fusion can be turned off; what cannot be fused still serves step by
/// step with the reason logged; text that is not UTF-8 is refused alike in both modes; weights stay shared. Shared
/// sub-plans are off here: a pipeline beginning with featurizers would otherwise share them instead of fusing them.
/// </summary>
public sealed class FusedPipelineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    // Every featurizer, with integer and string one_hot, a scale of dynamic width and two-column hashes: the text's
    // n-grams, scaled amounts and both one-hots side by side into a linear head; the hashes, counts and one-hots returned.
    private const string EveryFeaturizer = """
        {
          "inputs": [
            {"name": "review", "datatype": "BYTES", "shape": [-1, 1]},
            {"name": "amounts", "datatype": "FP32", "shape": [-1, -1]},
            {"name": "city", "datatype": "BYTES", "shape": [-1, 1]},
            {"name": "code", "datatype": "INT64", "shape": [-1, 1]},
            {"name": "tags", "datatype": "BYTES", "shape": [-1, 2]}
          ],
          "outputs": ["score", "logit", "tag_buckets", "words", "city_1h", "scaled"],
          "steps": [
            {"name": "head", "onnx": "head.onnx", "inputs": {"features": "features"}, "outputs": {"score": "score", "logit": "logit"}},
            {"name": "join", "featurizer": "concat", "inputs": ["words", "scaled", "city_1h", "code_1h"], "outputs": ["features"]},
            {"name": "words", "featurizer": "text_ngrams", "inputs": ["review"], "outputs": ["words"],
             "settings": {"buckets": 64, "ngram_min": 1, "ngram_max": 3, "seed": 7}},
            {"name": "scale", "featurizer": "scale", "inputs": ["amounts"], "outputs": ["scaled"],
             "settings": {"offset": [10, 0.5], "scale": [0.1, 2]}},
            {"name": "city_1h", "featurizer": "one_hot", "inputs": ["city"], "outputs": ["city_1h"],
             "settings": {"categories": ["paris", "oslo", "lima", "café"]}},
            {"name": "code_1h", "featurizer": "one_hot", "inputs": ["code"], "outputs": ["code_1h"], "settings": {"categories": [3, -1, 40]}},
            {"name": "tag_hash", "featurizer": "hash_buckets", "inputs": ["tags"], "outputs": ["tag_buckets"], "settings": {"buckets": 1000, "seed": 4294967295}}
          ]
        }
        """;

    private const int EveryWidth = 64 + 2 + 4 + 3;

    private static readonly string[] Reviews =
    [
        "Great food", "", "slow  service\tand COLD food\r\nnever again", "great great great", "İstanbul CAFÉ Ünïcode 東京 🙂",
        " \t ", "a", "Not bad at all, not BAD",
    ];

    private static readonly float[] Amounts = [12, 0.5f, 3.25f, -1, 100, 0, 7, 7, 0, 1, -2.5f, 9, 1e-7f, 3e7f, -0f, 0.1f];
    private static readonly string[] Cities = ["oslo", "paris", "rome", "lima", "", "Oslo", "café", "cafe"];
    private static readonly long[] Codes = [3, 40, 0, -1, 3, 41, long.MaxValue, -1];
    private static readonly string[] Tags = ["a", "b", "", "hello", "東京", "x y", "Hello, world!", "z", "q", "", "🙂", "tag", "c", "d", "e", "f"];

    private static InferenceRequest Rows(int first, int count) => new("every",
    [
        InferenceTensor.CreateStrings("review", Reviews[first..(first + count)], count, 1),
        InferenceTensor.Create("amounts", Amounts[(2 * first)..(2 * (first + count))], count, 2),
        InferenceTensor.CreateStrings("city", Cities[first..(first + count)], count, 1),
        InferenceTensor.Create("code", Codes[first..(first + count)], count, 1),
        InferenceTensor.CreateStrings("tags", Tags[(2 * first)..(2 * (first + count))], count, 2),
    ]);

    private static ModelLoadContext Context(string model, string directory, string pipelineSettings, ILoggerFactory? logs = null) =>
        new(model, 1, directory, ModelConfig.Empty, logs ?? NullLoggerFactory.Instance, TimeProvider.System)
        {
            Settings = JsonDocument.Parse(pipelineSettings).RootElement.Clone(),
        };

    private static string[] Lines(ListLoggerFactory logs, int eventId) => logs.Messages.Where(m => m.EventId == eventId).Select(m => m.Message).ToArray();

    private static async Task<(IModel Model, IModelInstance Instance)> LoadAsync(OnnxRuntimeBackend onnxRuntime, string model, string directory, bool fuse, ILoggerFactory? logs = null)
    {
        var loaded = await new PipelineBackend(onnxRuntime).LoadAsync(Context(model, directory, fuse ? "{}" : """{"fuse": false}""", logs), CancellationToken.None);
        return (loaded, await loaded.CreateInstanceAsync(0, CancellationToken.None));
    }

    /// <summary>Each request's outputs as name → bytes, for bit-for-bit comparison.</summary>
    private static List<Dictionary<string, (long[] Shape, byte[] Data)>> Answers(BatchResult result)
    {
        Assert.True(result.Error is null, result.Error?.Message);
        return result.Outputs!.Select(outputs => outputs.ToDictionary(o => o.Name, o => (o.Shape.ToArray(), o.Data.ToArray()))).ToList();
    }

    private static void AssertSameAnswers(BatchResult fused, BatchResult steps)
    {
        var a = Answers(fused);
        var b = Answers(steps);
        Assert.Equal(b.Count, a.Count);
        for (var r = 0; r < a.Count; r++)
        {
            Assert.Equal(b[r].Keys, a[r].Keys);
            foreach (var name in a[r].Keys)
            {
                Assert.Equal(b[r][name].Shape, a[r][name].Shape);
                Assert.True(b[r][name].Data.AsSpan().SequenceEqual(a[r][name].Data), $"request {r}, output '{name}' differs");
            }
        }
    }

    [Fact]
    public async Task Every_featurizer_fused_gives_bit_for_bit_what_the_steps_give_for_a_batch_of_requests_of_different_rows()
    {
        var directory = PipelineFolders.Write(_repository.Path, "every", EveryFeaturizer, ("head.onnx", PipelineFolders.LinearHead(EveryWidth)));
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false, SparseHeads = false });
        var logs = new ListLoggerFactory();
        var (fusedModel, fused) = await LoadAsync(onnxRuntime, "every", directory, fuse: true, logs);
        var (stepModel, steps) = await LoadAsync(onnxRuntime, "every", directory, fuse: false);
        await using (fusedModel)
        await using (stepModel)
        await using (fused)
        await using (steps)
        {
            Assert.IsType<FusedPipelineModel>(fusedModel);
            Assert.IsType<PipelineModel>(stepModel);
            Assert.Equal(["Model every version 1: the pipeline's 7 step(s) are fused into one ONNX Runtime graph"], Lines(logs, 3120));
            Assert.Equal(stepModel.Signature.Inputs.Select(i => i.ToString()), fusedModel.Signature.Inputs.Select(i => i.ToString()));
            Assert.Equal(stepModel.Signature.Outputs.Select(o => o.ToString()), fusedModel.Signature.Outputs.Select(o => o.ToString()));

            InferenceRequest[][] batches = [[Rows(0, 1), Rows(1, 3), Rows(4, 4)], [Rows(0, 8)], [Rows(4, 1)], [Rows(2, 2), Rows(7, 1)]];
            foreach (var batch in batches)
            {
                AssertSameAnswers(await fused.ExecuteAsync(batch, CancellationToken.None), await steps.ExecuteAsync(batch, CancellationToken.None));
            }

            // Not vacuous: the counts are the spec's, n-grams of 1 to 3 tokens of each review (2, 0, 7, 3, 5, 0, 1 and 6 tokens).
            var words = Answers(await fused.ExecuteAsync([Rows(0, 8)], CancellationToken.None))[0]["words"];
            var counts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(words.Data).ToArray();
            Assert.Equal(Fusion.SpecFeaturizers.TextNgrams(Reviews, 64, 1, 3, true, 7), counts);
            Assert.Equal(3 + 18 + 6 + 12 + 1 + 15, counts.Sum());
        }
    }

    [Fact]
    public async Task The_sentiment_sample_fused_gives_bit_for_bit_what_its_steps_give()
    {
        var directory = CopySentiment(SampleModels.Sentiment);
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false, SparseHeads = false });
        var (fusedModel, fused) = await LoadAsync(onnxRuntime, SampleModels.Sentiment, directory, fuse: true);
        var (stepModel, steps) = await LoadAsync(onnxRuntime, SampleModels.Sentiment, directory, fuse: false);
        await using (fusedModel)
        await using (stepModel)
        await using (fused)
        await using (steps)
        {
            Assert.IsType<FusedPipelineModel>(fusedModel);
            string[] reviews = ["The food was great and the staff friendly", "not good and the soup was cold", "Not bad at all", "", "NEVER AGAIN  terrible\tservice", "no complaints, CAFÉ İyi"];
            InferenceRequest Reviews(int first, int count) =>
                new(SampleModels.Sentiment, [InferenceTensor.CreateStrings("text", reviews[first..(first + count)], count, 1)]);

            InferenceRequest[][] batches = [[Reviews(0, 6)], [Reviews(0, 2), Reviews(2, 1), Reviews(3, 3)], [Reviews(5, 1)]];
            foreach (var batch in batches)
            {
                AssertSameAnswers(await fused.ExecuteAsync(batch, CancellationToken.None), await steps.ExecuteAsync(batch, CancellationToken.None));
            }

            var probability = (await fused.ExecuteAsync([Reviews(0, 6)], CancellationToken.None)).Outputs![0][0].ToArray<float>();
            Assert.Equal(reviews.Select(SentimentModel.Probability), probability, (a, b) => Math.Abs(a - b) <= 1e-6f);
        }
    }

    private string CopySentiment(string name)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository.Path, name, "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    [Fact]
    public async Task Fuse_false_in_config_json_or_for_the_backend_runs_step_by_step()
    {
        CopySentiment("by_config");
        _repository.WriteConfig("by_config", """{"backend_settings": {"pipeline": {"fuse": false}}}""");
        CopySentiment("bad_setting");
        _repository.WriteConfig("bad_setting", """{"backend_settings": {"pipeline": {"fuse": "no"}}}""");
        var logs = new ListLoggerFactory();

        await using (var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseLoggerFactory(logs).UseOnnxRuntime(o => o.ShareSubPlans = false).BuildAsync().WaitAsync(Timeout))
        {
            Assert.Equal(ModelState.Ready, engine.Models.Single(m => m.Name == "by_config").State);
            Assert.Equal("backend_settings.pipeline.fuse must be true or false, not \"no\"", engine.Models.Single(m => m.Name == "bad_setting").Versions[0].Reason);
        }

        var offLines = Lines(logs, 3122);
        Assert.Equal(["Model by_config version 1: fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false), so the pipeline runs step by step"], offLines);

        var directory = Path.Combine(_repository.Path, "by_config", "1");
        var (model, instance) = await LoadAsync(new OnnxRuntimeBackend(new OnnxRuntimeOptions { FusePipelines = false, ShareSubPlans = false }), "by_config", directory, fuse: true);
        await using (model)
        await using (instance)
        {
            Assert.IsType<PipelineModel>(model);
        }

        // The model's own setting wins over the backend's default.
        var onByConfig = await new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { FusePipelines = false, ShareSubPlans = false }))
            .LoadAsync(Context("by_config", directory, """{"fuse": true}"""), CancellationToken.None);
        await using (onByConfig)
        {
            Assert.IsType<FusedPipelineModel>(onByConfig);
        }
    }

    [Fact]
    public async Task A_pipeline_that_cannot_be_fused_serves_step_by_step_and_the_load_log_names_the_step_and_why()
    {
        // ReduceMean took its axes from an attribute until opset 18: a graph written for 17 would change meaning at the featurizers' 20.
        var pool = new OnnxGraphBuilder("pool", 17)
            .AddInput("features", DataType.Fp32, -1, 8)
            .AddOutput("mean", DataType.Fp32, -1, 1)
            .AddNode("ReduceMean", ["features"], ["mean"], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1))
            .ToBytes();
        PipelineFolders.Write(_repository.Path, "pooled", """
            {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["mean"],
             "steps": [
               {"name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["counts"], "settings": {"buckets": 8}},
               {"name": "pool", "onnx": "pool.onnx", "inputs": {"features": "counts"}, "outputs": {"mean": "mean"}}]}
            """, ("pool.onnx", pool));
        var logs = new ListLoggerFactory();

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseLoggerFactory(logs).UseOnnxRuntime(o => o.ShareSubPlans = false).BuildAsync().WaitAsync(Timeout);
        var response = await engine.InferAsync(new InferenceRequest("pooled", [InferenceTensor.CreateStrings("text", ["a b c d", ""], 2, 1)])).AsTask().WaitAsync(Timeout);

        Assert.Equal(ModelState.Ready, Assert.Single(engine.Models).State);
        Assert.Equal([0.5f, 0f], response["mean"].ToArray<float>());
        Assert.Equal(
            ["Model pooled version 1: the pipeline is not fused and runs step by step: step 'pool' (pool.onnx): ReduceMean changed at ai.onnx opset 18: the graph was written for opset 17 and the fused graph imports 20; export the graph at opset 20"],
            Lines(logs, 3121));
        Assert.Empty(Lines(logs, 3120));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Text_that_is_not_utf8_is_a_400_naming_the_input_and_the_row_in_both_modes(bool fuse)
    {
        CopySentiment("sentiment");
        _repository.WriteConfig("sentiment", """{"backend_settings": {"pipeline": {"fuse": """ + (fuse ? "true" : "false") + "}}}");
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime(o => o.ShareSubPlans = false).BuildAsync().WaitAsync(Timeout);
        byte[][] texts = [Encoding.UTF8.GetBytes("great"), [(byte)'o', (byte)'k', 0xFF], Encoding.UTF8.GetBytes("bad")];
        var request = new InferenceRequest("sentiment", [InferenceTensor.FromRaw("text", DataType.Bytes, [3, 1], BytesElements.Encode(texts))]);

        var result = await engine.TryInferAsync(request).AsTask().WaitAsync(Timeout);
        var good = await engine.InferAsync(new InferenceRequest("sentiment", [InferenceTensor.CreateStrings("text", ["great"], 1, 1)])).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.InvalidArgument, result.Error?.Code);
        Assert.Equal("model 'sentiment': input 'text' row 1: byte 0xFF at offset 2 is not valid UTF-8; step 'featurize' (text_ngrams) reads it as text", result.Error!.Message);
        Assert.Equal([SentimentModel.Probability("great")], good["probability"].ToArray<float>(), (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Fact]
    public async Task Hashes_and_one_hots_of_bytes_that_are_not_utf8_are_the_same_fused_and_step_by_step()
    {
        var directory = PipelineFolders.Write(_repository.Path, "raw", """
            {"inputs": [{"name": "x", "datatype": "BYTES", "shape": [-1, 1]}], "outputs": ["h", "o"],
             "steps": [
               {"name": "hash", "featurizer": "hash_buckets", "inputs": ["x"], "outputs": ["h"], "settings": {"buckets": 2147483647, "seed": 9}},
               {"name": "one", "featurizer": "one_hot", "inputs": ["x"], "outputs": ["o"], "settings": {"categories": ["a", "é"]}}]}
            """);
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false });
        var (fusedModel, fused) = await LoadAsync(onnxRuntime, "raw", directory, fuse: true);
        var (stepModel, steps) = await LoadAsync(onnxRuntime, "raw", directory, fuse: false);
        await using (fusedModel)
        await using (stepModel)
        await using (fused)
        await using (steps)
        {
            Assert.IsType<FusedPipelineModel>(fusedModel);
            byte[][] values = [[0xFF], [0xC3], [0xC3, 0xA9], [(byte)'a', 0x80], [(byte)'a'], []];
            InferenceRequest[] batch = [new("raw", [InferenceTensor.FromRaw("x", DataType.Bytes, [values.Length, 1], BytesElements.Encode(values))])];

            var fusedResult = await fused.ExecuteAsync(batch, CancellationToken.None);
            AssertSameAnswers(fusedResult, await steps.ExecuteAsync(batch, CancellationToken.None));
            Assert.Equal([0f, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0], fusedResult.Outputs![0][1].ToArray<float>());
            Assert.Equal(values.Length, fusedResult.Outputs[0][0].ToArray<long>().Distinct().Count());
        }
    }

    [Fact]
    public async Task Two_fused_pipelines_with_one_identical_head_hold_its_weights_once()
    {
        CopySentiment("reviews_a");
        CopySentiment("reviews_b");
        var onnxRuntime = new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false });

        await using (var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(new PipelineBackend(onnxRuntime)).AddBackend(onnxRuntime).BuildAsync().WaitAsync(Timeout))
        {
            Assert.All(engine.Models, m => Assert.True(m.State == ModelState.Ready, $"{m.Name}: {m.Reason}"));
            // The head's 4096 FP32 weights (16 KiB, the sharing minimum) held once, one copy saved; the step sessions that validated the pipelines are gone.
            Assert.Equal(new SharedWeightTotals(1, SentimentModel.Buckets * sizeof(float), SentimentModel.Buckets * sizeof(float)), onnxRuntime.SharedInitializers.Totals);
            var request = new InferenceRequest("reviews_a", [InferenceTensor.CreateStrings("text", ["great", "never again"], 2, 1)]);
            var a = await engine.InferAsync(request).AsTask().WaitAsync(Timeout);
            var b = await engine.InferAsync(new InferenceRequest("reviews_b", request.Inputs)).AsTask().WaitAsync(Timeout);
            Assert.Equal(a["probability"].Data.ToArray(), b["probability"].Data.ToArray());
        }

        Assert.Equal(default, onnxRuntime.SharedInitializers.Totals);
    }
}
