using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests;

public sealed class SampleModelTests
{
    // Seeds different from the training seeds, so these are fresh data.
    private const int EvaluationSeed = 20_240_601;

    private static readonly Lazy<byte[]> Fraud = new(SampleModels.BuildFraud);
    private static readonly Lazy<byte[]> DeliveryEta = new(SampleModels.BuildDeliveryEta);
    private static readonly Lazy<byte[]> ImageClassifier = new(SampleModels.BuildImageClassifier);
    private static readonly Lazy<byte[]> Ranker = new(SampleModels.BuildRanker);

    [Fact]
    public void Builds_AreDeterministic()
    {
        Assert.Equal(Fraud.Value, SampleModels.BuildFraud());
        Assert.Equal(DeliveryEta.Value, SampleModels.BuildDeliveryEta());
        Assert.Equal(ImageClassifier.Value, SampleModels.BuildImageClassifier());
        Assert.Equal(Ranker.Value, SampleModels.BuildRanker());
    }

    [Fact]
    public void WriteAll_WritesModelFiles_ThePumpMonitorConfig_AndTheSentimentPipeline()
    {
        var root = Path.Combine(Path.GetTempPath(), $"augur-test-{Guid.NewGuid():N}");
        try
        {
            SampleModels.WriteAll(root);

            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);
            Assert.Equal(["delivery_eta/1/model.onnx", "fraud/1/model.onnx", "image_classifier/1/model.onnx", "pump_monitor/1/model.onnx", "pump_monitor/config.json", "ranker/1/model.onnx", "sentiment/1/classifier.onnx", "sentiment/1/pipeline.json"], files);
            Assert.Equal(Fraud.Value, File.ReadAllBytes(Path.Combine(root, "fraud", "1", "model.onnx")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FraudData_HasRealisticClassBalance()
    {
        var rows = FraudData.Generate(5000, EvaluationSeed);

        var rate = rows.Count(r => FraudData.IsFraud(r)) / (double)rows.Length;

        Assert.InRange(rate, 0.10, 0.30);
        Assert.All(rows, r => Assert.Equal(FraudData.FeatureCount, r.Length));
    }

    [Fact]
    public void Fraud_ClassifiesFreshDataAccurately()
    {
        var rows = FraudData.Generate(2000, EvaluationSeed);
        using var session = new InferenceSession(Fraud.Value);
        using var features = OrtTestTensors.Create(DataType.Fp32, rows.SelectMany(r => r).ToArray(), rows.Length, FraudData.FeatureCount);

        using var outputs = OrtTestTensors.Run(session, ("features", features));

        Assert.Equal(["probability", "label"], session.OutputNames);
        var probability = OrtTestTensors.Read<float>(outputs[0]);
        var label = OrtTestTensors.Read<long>(outputs[1]);
        Assert.Equal([rows.Length, 1], outputs[1].GetTensorTypeAndShape().Shape);
        Assert.All(probability.Zip(label), p => Assert.Equal(p.First >= 0.5f ? 1L : 0L, p.Second));
        var correct = rows.Where((r, i) => FraudData.IsFraud(r) == (label[i] == 1)).Count();
        Assert.True(correct >= 0.95 * rows.Length, $"Accuracy {correct / (double)rows.Length:P2} is below 95%.");
    }

    [Fact]
    public void DeliveryEta_PredictsFreshDataClosely()
    {
        var (rows, observed) = DeliveryData.Generate(2000, EvaluationSeed);
        using var session = new InferenceSession(DeliveryEta.Value);
        using var features = OrtTestTensors.Create(DataType.Fp32, rows.SelectMany(r => r).ToArray(), rows.Length, DeliveryData.FeatureCount);

        using var outputs = OrtTestTensors.Run(session, ("features", features));

        Assert.Equal([rows.Length, 1], outputs[0].GetTensorTypeAndShape().Shape);
        var predicted = OrtTestTensors.Read<float>(outputs[0]);
        var errorToTruth = rows.Select((r, i) => Math.Abs(predicted[i] - DeliveryData.EtaMinutes(r))).Average();
        var errorToObserved = observed.Select((o, i) => Math.Abs(predicted[i] - o)).Average();
        Assert.True(errorToTruth < 0.5, $"MAE against the noise-free ETA is {errorToTruth:F3} minutes.");
        Assert.True(errorToObserved < 2, $"MAE against observed ETAs is {errorToObserved:F3} minutes.");
    }

    [Fact]
    public void ImageClassifier_ReturnsProbabilitiesPerImage()
    {
        const int batch = 4;
        var random = new Random(5);
        var pixels = Enumerable.Range(0, batch * 3 * 32 * 32).Select(_ => random.NextSingle()).ToArray();
        using var session = new InferenceSession(ImageClassifier.Value);
        using var image = OrtTestTensors.Create(DataType.Fp32, pixels, batch, 3, 32, 32);

        using var outputs = OrtTestTensors.Run(session, ("image", image));

        Assert.Equal("probabilities", Assert.Single(session.OutputNames));
        Assert.Equal([batch, 10], outputs[0].GetTensorTypeAndShape().Shape);
        var probabilities = OrtTestTensors.Read<float>(outputs[0]);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.All(probabilities.Chunk(10), row => Assert.Equal(1.0, row.Sum(), 4));
    }

    [Fact]
    public void ImageClassifier_IsSmall() => Assert.InRange(ImageClassifier.Value.Length, 1, 1_000_000);

    [Fact]
    public void Ranker_ReturnsAScorePerRow()
    {
        const int batch = 16;
        var random = new Random(5);
        var features = Enumerable.Range(0, batch * 256).Select(_ => random.NextSingle()).ToArray();
        using var session = new InferenceSession(Ranker.Value);
        using var input = OrtTestTensors.Create(DataType.Fp32, features, batch, 256);

        using var outputs = OrtTestTensors.Run(session, ("features", input));

        Assert.Equal("score", Assert.Single(session.OutputNames));
        Assert.Equal([batch, 1], outputs[0].GetTensorTypeAndShape().Shape);
        var scores = OrtTestTensors.Read<float>(outputs[0]);
        // Neither saturated nor constant: the random layers keep the rows apart.
        Assert.All(scores, s => Assert.InRange(s, 0.01f, 0.99f));
        Assert.True(scores.Max() - scores.Min() > 0.01f, $"Scores span only [{scores.Min()}, {scores.Max()}].");
    }

    [Fact]
    public void Ranker_ScoresARowTheSameAloneAndInABatch()
    {
        const int batch = 8;
        var random = new Random(6);
        var features = Enumerable.Range(0, batch * 256).Select(_ => random.NextSingle()).ToArray();
        using var session = new InferenceSession(Ranker.Value);
        using var all = OrtTestTensors.Create(DataType.Fp32, features, batch, 256);
        using var batched = OrtTestTensors.Run(session, ("features", all));
        var scores = OrtTestTensors.Read<float>(batched[0]);

        for (var row = 0; row < batch; row++)
        {
            using var one = OrtTestTensors.Create(DataType.Fp32, features[(row * 256)..((row + 1) * 256)], 1, 256);
            using var alone = OrtTestTensors.Run(session, ("features", one));

            // Batch-1 Gemm takes a different kernel path, so allow rounding differences, nothing more.
            Assert.Equal(scores[row], OrtTestTensors.Read<float>(alone[0])[0], 1e-5f);
        }
    }

    [Fact]
    public void Ranker_LoadsAsPlainDenseLayers()
    {
        // The file stores FP16 windows of one random pool; the default graph optimisation must fold them into
        // constant weights at load, or every request would cut and widen 35 MB of weights.
        var optimized = Path.Combine(Path.GetTempPath(), $"augur-test-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { OptimizedModelFilePath = optimized, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL })
            using (new InferenceSession(Ranker.Value, options))
            {
            }

            var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph;
            Assert.All(graph.Node, n => Assert.Contains(n.OpType, (string[])["Gemm", "FusedGemm", "Relu", "Sigmoid"]));
            Assert.Equal(10, graph.Node.Count(n => n.OpType is "Gemm" or "FusedGemm"));
            var weights = graph.Initializer.Where(i => i.Dims.Count == 2).ToArray();
            Assert.Equal(10, weights.Length);
            Assert.All(weights, w => Assert.Equal(1, w.DataType));
            Assert.Equal((256 * 1024) + (8 * 1024 * 1024) + 1024, weights.Sum(w => w.Dims[0] * w.Dims[1]));
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    [Fact]
    public void Ranker_IsUnder4MB() => Assert.InRange(Ranker.Value.Length, 1, 4_000_000);

    [Theory]
    [InlineData(SampleModels.Fraud, "features", 8)]
    [InlineData(SampleModels.DeliveryEta, "features", 4)]
    [InlineData(SampleModels.Ranker, "features", 256)]
    public void TabularModels_TakeDynamicBatchOfFeatures(string name, string input, int width)
    {
        using var session = new InferenceSession(SampleModels.Build(name));

        var metadata = Assert.Single(session.InputMetadata);
        Assert.Equal(input, metadata.Key);
        Assert.Equal([-1, width], metadata.Value.Dimensions);
    }

    [Fact]
    public void DeterministicExp_MatchesMathExp()
    {
        foreach (var x in new[] { -700, -20, -1.5, -1e-9, 0, 0.3, 1, 2.5, 30, 700 })
        {
            var expected = Math.Exp(x);
            Assert.True(Math.Abs(DeterministicMath.Exp(x) - expected) <= expected * 1e-14, $"Exp({x})");
        }
    }
}
