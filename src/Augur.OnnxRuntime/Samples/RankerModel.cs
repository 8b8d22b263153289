using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// An untrained ranking MLP over a dense feature vector, shaped like the dense top of a recommendation
/// ranker (MLPerf's DLRM): the sample whose batch-1 cost is matrix-vector work, so dynamic batching pays
/// off. Its weights are random (seeded), so its scores mean nothing.
/// </summary>
/// <remarks>
/// In memory the model is nine 1024-wide dense layers, about 8.7 M FP32 weights (35 MB): at batch 1 every
/// weight is read from memory for one multiply-add, at batch 32 it serves 32, which is why batching pays.
/// The file stores those weights far more compactly: one FP16 pool of random values, 1856 × 1024 (3.8 MB),
/// of which every layer's weight matrix is a different window of rows. Cast, Slice and Mul on constants
/// are folded by ONNX Runtime's default graph optimisation when the session is created, so each layer
/// then runs as one Gemm on its own prepacked weights, exactly like a model that stored them all.
/// </remarks>
internal static class RankerModel
{
    public const int Seed = 27182;
    public const int Features = 256;
    public const int Width = 1024;

    /// <summary>The Relu dense layers: the first maps the features to <see cref="Width"/>, the rest are Width × Width.</summary>
    public const int DenseLayers = 9;

    private const int PoolRows = 1856;

    /// <summary>Rows between the first rows of consecutive layers' windows; the last window ends at the pool's end.</summary>
    private const int WindowStride = (PoolRows - Width) / (DenseLayers - 1);

    public static byte[] Build()
    {
        var random = new Random(Seed);
        var builder = new OnnxGraphBuilder(SampleModels.Ranker)
            .AddInput("features", DataType.Fp32, -1, Features)
            .AddOutput("score", DataType.Fp32, -1, 1);

        var pool = new Half[PoolRows * Width];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = (Half)((random.NextDouble() * 2) - 1);
        }

        builder.AddInitializer("pool_fp16", pool, PoolRows, Width);
        builder.AddNode("Cast", ["pool_fp16"], ["pool"], OnnxAttribute.Int("to", 1));
        var rowAxis = builder.AddInitializer("row_axis", [0L], 1);

        var previous = "features";
        var inputs = Features;
        for (var layer = 1; layer <= DenseLayers; layer++)
        {
            var firstRow = (long)(layer - 1) * WindowStride;
            var start = builder.AddInitializer($"dense{layer}_first_row", [firstRow], 1);
            var end = builder.AddInitializer($"dense{layer}_end_row", [firstRow + inputs], 1);
            // He-uniform: the pool is uniform in [-1, 1), scaled to ±sqrt(6 / fan-in).
            var scale = builder.AddInitializer($"dense{layer}_scale", [(float)Math.Sqrt(6.0 / inputs)]);
            var bias = builder.AddInitializer($"dense{layer}_b", new float[Width], Width);
            builder
                .AddNode("Slice", ["pool", start, end, rowAxis], [$"dense{layer}_window"])
                .AddNode("Mul", [$"dense{layer}_window", scale], [$"dense{layer}_w"])
                .AddNode("Gemm", [previous, $"dense{layer}_w", bias], [$"dense{layer}"])
                .AddNode("Relu", [$"dense{layer}"], [$"relu{layer}"]);
            previous = $"relu{layer}";
            inputs = Width;
        }

        // LeCun-uniform keeps the logit's spread near 1, so scores spread across (0, 1) instead of saturating.
        var limit = Math.Sqrt(3.0 / Width);
        var scoreWeights = new float[Width];
        for (var i = 0; i < scoreWeights.Length; i++)
        {
            scoreWeights[i] = (float)(((random.NextDouble() * 2) - 1) * limit);
        }

        var scoreW = builder.AddInitializer("score_w", scoreWeights, Width, 1);
        var scoreB = builder.AddInitializer("score_b", [0f], 1);
        return builder
            .AddNode("Gemm", [previous, scoreW, scoreB], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["score"])
            .ToBytes();
    }
}
