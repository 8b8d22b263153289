using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.PipelineRepository;

/// <summary>
/// The numeric family, a tabular scorer: eight measurements scaled, a category one-hot encoded (16 categories), two
/// identifiers hashed into 2^14 buckets, the dense columns concatenated; every featurizer has the same settings in
/// every pipeline. The head of its own is a logistic regression: the 24 dense columns times its weights, plus one
/// learned weight per hashed identifier bucket (an embedding of width 1, a Gather over a table of 2^14), then a sigmoid.
/// </summary>
internal static class NumericPipeline
{
    public const int Measurements = 8;
    public const int IdBuckets = 1 << 14;
    public const int Identifiers = 2;

    private static readonly string[] Categories =
        ["grocery", "electronics", "travel", "fuel", "dining", "health", "clothing", "books", "games", "music", "home", "garden", "sports", "toys", "auto", "other"];

    private static readonly float[] Offsets = [50f, 0.5f, 12f, 3f, 100f, 0f, 7f, 1f];
    private static readonly float[] Scales = [0.02f, 2f, 0.08f, 0.25f, 0.005f, 1f, 0.15f, 0.5f];

    private static int Dense => Measurements + Categories.Length;

    public static string Definition { get; } = $$"""
        {
          "inputs": [
            { "name": "measurements", "datatype": "FP32", "shape": [-1, {{Measurements}}] },
            { "name": "category", "datatype": "BYTES", "shape": [-1, 1] },
            { "name": "identifiers", "datatype": "BYTES", "shape": [-1, {{Identifiers}}] }
          ],
          "outputs": ["probability"],
          "steps": [
            { "name": "normalize", "featurizer": "scale", "inputs": ["measurements"], "outputs": ["scaled"],
              "settings": { "offset": [{{Join(Offsets)}}], "scale": [{{Join(Scales)}}] } },
            { "name": "encode", "featurizer": "one_hot", "inputs": ["category"], "outputs": ["category_hot"],
              "settings": { "categories": [{{string.Join(", ", Categories.Select(c => $"\"{c}\""))}}] } },
            { "name": "hash", "featurizer": "hash_buckets", "inputs": ["identifiers"], "outputs": ["identifier_buckets"],
              "settings": { "buckets": {{IdBuckets}}, "seed": 7 } },
            { "name": "join", "featurizer": "concat", "inputs": ["scaled", "category_hot"], "outputs": ["dense"] },
            { "name": "score", "onnx": "{{PipelineFiles.Head}}",
              "inputs": { "dense": "dense", "identifiers": "identifier_buckets" }, "outputs": { "probability": "probability" } }
          ]
        }

        """;

    /// <summary>Pipeline <paramref name="index"/>'s head: dense FP32 [batch, 24] and identifiers INT64 [batch, 2] → probability FP32 [batch, 1].</summary>
    public static byte[] BuildHead(int index)
    {
        var random = new Random(3_000 + index);
        var builder = new OnnxGraphBuilder($"numeric_head_{index}")
            .AddInput("dense", DataType.Fp32, -1, Dense)
            .AddInput("identifiers", DataType.Int64, -1, Identifiers)
            .AddOutput("probability", DataType.Fp32, -1, 1);
        var weights = builder.AddInitializer("weights", PipelineFiles.RandomWeights(random, Dense, 1f), Dense, 1);
        var table = builder.AddInitializer("identifier_weights", PipelineFiles.RandomWeights(random, IdBuckets, 0.5f), IdBuckets);
        var axes = builder.AddInitializer("sum_axes", [1L], 1);
        var bias = builder.AddInitializer("bias", [(random.NextSingle() - 0.5f) / 4], 1);
        return builder
            .AddNode("MatMul", ["dense", weights], ["dense_logit"])
            .AddNode("Gather", [table, "identifiers"], ["identifier_terms"], OnnxAttribute.Int("axis", 0))
            .AddNode("ReduceSum", ["identifier_terms", axes], ["identifier_logit"], OnnxAttribute.Int("keepdims", 1))
            .AddNode("Add", ["dense_logit", "identifier_logit"], ["logit_unbiased"])
            .AddNode("Add", ["logit_unbiased", bias], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["probability"])
            .ToBytes();
    }

    /// <summary>One row for pipeline <paramref name="index"/>: measurements near their offsets, a category, two identifiers.</summary>
    public static string Request(int index)
    {
        var random = new Random(4_000 + index);
        var measurements = Offsets.Select((offset, i) => MathF.Round(offset + ((random.NextSingle() - 0.5f) / Scales[i]), 2)).ToArray();
        var identifiers = new[] { $"customer-{random.Next(1_000_000):D6}", $"merchant-{random.Next(50_000):D5}" };
        return PipelineFiles.Request(
            $"numeric_{index}",
            ("measurements", "FP32", [1, Measurements], measurements),
            ("category", "BYTES", [1, 1], new[] { Categories[random.Next(Categories.Length)] }),
            ("identifiers", "BYTES", [1, Identifiers], identifiers));
    }

    private static string Join(float[] values) => string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
