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

    [Fact]
    public void Builds_AreDeterministic()
    {
        Assert.Equal(Fraud.Value, SampleModels.BuildFraud());
        Assert.Equal(DeliveryEta.Value, SampleModels.BuildDeliveryEta());
        Assert.Equal(ImageClassifier.Value, SampleModels.BuildImageClassifier());
    }

    [Fact]
    public void WriteAll_WritesOnlyModelFiles()
    {
        var root = Path.Combine(Path.GetTempPath(), $"augur-test-{Guid.NewGuid():N}");
        try
        {
            SampleModels.WriteAll(root);

            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);
            Assert.Equal(["delivery_eta/1/model.onnx", "fraud/1/model.onnx", "image_classifier/1/model.onnx"], files);
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

    [Theory]
    [InlineData(SampleModels.Fraud, "features", 8)]
    [InlineData(SampleModels.DeliveryEta, "features", 4)]
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
