using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.PipelineRepository;

/// <summary>
/// The text family, PRETZEL's sentiment workload: <c>text_ngrams</c> (lower-cased word unigrams, bigrams and trigrams
/// hashed into 2^16 buckets, the same settings in every pipeline) into a linear head of its own (FP32 [2^16, 1] weights,
/// 256 KiB), then a sigmoid: <c>probability = sigmoid(counts · w + b)</c>.
/// </summary>
/// <remarks>
/// 2^16 buckets: the sample <c>sentiment</c> has 4,096 for a 38-term lexicon; a head trained on real reviews keeps tens
/// of thousands of uni- to trigrams, and 2^16 keeps their collisions rare while a head stays 256 KiB (ML.NET's
/// hashing featurizers default to 2^16 too; scikit-learn's HashingVectorizer to 2^20, which would make the 50 heads 200
/// MiB of weights no server can share, and the comparison one of weight bytes only).
/// </remarks>
internal static class TextPipeline
{
    public const int Buckets = 1 << 16;

    public static string Definition { get; } = $$"""
        {
          "inputs": [{ "name": "text", "datatype": "BYTES", "shape": [-1, 1] }],
          "outputs": ["probability"],
          "steps": [
            { "name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["ngrams"],
              "settings": { "lowercase": true, "ngram_min": 1, "ngram_max": 3, "buckets": {{Buckets}}, "seed": 0 } },
            { "name": "classify", "onnx": "{{PipelineFiles.Head}}",
              "inputs": { "features": "ngrams" }, "outputs": { "probability": "probability" } }
          ]
        }

        """;

    /// <summary>Pipeline <paramref name="index"/>'s head: features FP32 [batch, 2^16] → probability FP32 [batch, 1].</summary>
    public static byte[] BuildHead(int index)
    {
        var random = new Random(1_000 + index);
        var builder = new OnnxGraphBuilder($"text_head_{index}")
            .AddInput("features", DataType.Fp32, -1, Buckets)
            .AddOutput("probability", DataType.Fp32, -1, 1);
        var weights = builder.AddInitializer("weights", PipelineFiles.RandomWeights(random, Buckets, 0.5f), Buckets, 1);
        var bias = builder.AddInitializer("bias", [(random.NextSingle() - 0.5f) / 4], 1);
        return builder
            .AddNode("MatMul", ["features", weights], ["logit_unbiased"])
            .AddNode("Add", ["logit_unbiased", bias], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["probability"])
            .ToBytes();
    }

    /// <summary>One review for pipeline <paramref name="index"/>.</summary>
    public static string Request(int index) =>
        PipelineFiles.Request($"text_{index}", ("text", "BYTES", [1, 1], new[] { PseudoReview.Write(new Random(2_000 + index)) }));
}
