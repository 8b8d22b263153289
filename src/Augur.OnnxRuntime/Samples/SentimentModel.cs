using System.Text;
using System.Text.Json;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// The pipeline sample: review sentiment. A <c>text_ngrams</c> featurizer turns each review (BYTES [batch, 1]) into
/// counts of its hashed words and word pairs (FP32 [batch, 4096]), and a linear ONNX head turns those into
/// <c>probability</c> (FP32 [batch, 1]) that the review is positive. Hand-set, not trained: the lexicon below is the
/// whole model, each term's weight added to its bucket's row of the head.
/// </summary>
/// <remarks>
/// <code>
/// features    = text_ngrams(text; lowercase, n = 1..2, 4096 buckets, seed 0)
/// probability = sigmoid(features · weights + bias)
/// </code>
/// Pairs undo single words: "not good" outweighs "good". Every weight is a multiple of 1/4, so the sum is exact in FP32
/// whatever order a kernel adds in.
/// </remarks>
public static class SentimentModel
{
    /// <summary>Buckets of the n-gram counts: the head's width.</summary>
    public const int Buckets = 4096;

    /// <summary>The head's intercept: a review with no known term scores sigmoid(0.25) ≈ 0.56, a little positive, as most reviews are.</summary>
    public const float Bias = 0.25f;

    /// <summary>The ONNX head's file name in the version folder.</summary>
    public const string ClassifierFile = "classifier.onnx";

    /// <summary>Each term (a lower-case word or pair of words) and what it adds to the logit.</summary>
    public static IReadOnlyList<(string Term, float Weight)> Lexicon { get; } =
    [
        ("good", 1f), ("great", 1.5f), ("excellent", 2f), ("love", 1.5f), ("loved", 1.5f), ("wonderful", 2f),
        ("amazing", 2f), ("friendly", 1f), ("delicious", 1.5f), ("fast", 0.75f), ("best", 1.5f), ("perfect", 2f),
        ("nice", 0.75f), ("fresh", 0.75f), ("recommend", 1.25f), ("happy", 1f),
        ("bad", -1.25f), ("terrible", -2f), ("awful", -2f), ("slow", -0.75f), ("cold", -0.5f), ("rude", -1.5f),
        ("worst", -2f), ("hate", -1.75f), ("disappointing", -1.5f), ("broken", -1.25f), ("dirty", -1.25f),
        ("late", -0.75f), ("poor", -1.25f), ("boring", -1f), ("never", -0.5f),
        ("not good", -2f), ("not great", -2.5f), ("not bad", 2f), ("not recommend", -2.5f), ("never again", -1.5f),
        ("no complaints", 1.75f), ("too slow", -0.75f),
    ];

    /// <summary>pipeline.json of the sample, as committed.</summary>
    public static string Pipeline { get; } = $$"""
        {
          "inputs": [{ "name": "text", "datatype": "BYTES", "shape": [-1, 1] }],
          "outputs": ["probability"],
          "steps": [
            { "name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["ngrams"],
              "settings": { "lowercase": true, "ngram_min": 1, "ngram_max": 2, "buckets": {{Buckets}}, "seed": 0 } },
            { "name": "classify", "onnx": "{{ClassifierFile}}",
              "inputs": { "features": "ngrams" }, "outputs": { "probability": "probability" } }
          ]
        }

        """;

    /// <summary>The featurizer of the first step, as pipeline.json sets it.</summary>
    internal static TextNgramsFeaturizer Featurizer { get; } = CreateFeaturizer();

    /// <summary>The head's weights, one per bucket: the lexicon's weights added into their terms' buckets.</summary>
    public static float[] Weights()
    {
        var weights = new float[Buckets];
        foreach (var (term, weight) in Lexicon)
        {
            weights[TermBucket(term)] += weight;
        }

        return weights;
    }

    /// <summary>The bucket of one term: its n-gram's hash, as the featurizer computes it.</summary>
    public static int TermBucket(string term) => (int)(MurmurHash3.Hash32(Encoding.UTF8.GetBytes(term), Featurizer.Seed) % (uint)Buckets);

    /// <summary>The ONNX head: features FP32 [batch, 4096] → probability FP32 [batch, 1].</summary>
    public static byte[] BuildClassifier()
    {
        var builder = new OnnxGraphBuilder("sentiment_head")
            .AddInput("features", DataType.Fp32, -1, Buckets)
            .AddOutput("probability", DataType.Fp32, -1, 1);
        var weights = builder.AddInitializer("weights", Weights(), Buckets, 1);
        var bias = builder.AddInitializer("bias", [Bias], 1);
        return builder
            .AddNode("MatMul", ["features", weights], ["logit_unbiased"])
            .AddNode("Add", ["logit_unbiased", bias], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["probability"])
            .ToBytes();
    }

    /// <summary>The logit of one review computed in C#: its n-gram counts times the weights, plus the bias (exact in FP32).</summary>
    public static float Logit(string text)
    {
        var counts = new float[Buckets];
        Featurizer.Count(Encoding.UTF8.GetBytes(text), counts);
        var weights = Weights();
        var logit = Bias;
        for (var i = 0; i < Buckets; i++)
        {
            logit += counts[i] * weights[i];
        }

        return logit;
    }

    /// <summary>The probability one review is positive, computed in C# (ONNX Runtime's Sigmoid may differ in the last bits).</summary>
    public static float Probability(string text) => 1f / (1f + MathF.Exp(-Logit(text)));

    private static TextNgramsFeaturizer CreateFeaturizer()
    {
        using var document = JsonDocument.Parse(Pipeline);
        var settings = document.RootElement.GetProperty("steps")[0].GetProperty("settings");
        return (TextNgramsFeaturizer)FeaturizerCatalog.Create(TextNgramsFeaturizer.Name, settings);
    }
}
