using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// A small untrained CNN over 32×32 RGB images: the sample that costs real compute per request, for
/// benchmarking batching. Its weights are random (seeded He-uniform), so its predictions mean nothing.
/// </summary>
internal static class ImageClassifierModel
{
    public const int Seed = 31337;
    public const int ImageChannels = 3;
    public const int ImageSize = 32;
    public const int Classes = 10;

    /// <summary>
    /// The 3×3 convolutions, each followed by Relu. Most work is done at full and half resolution, where
    /// compute per weight is highest: about 43 M multiply-adds per image from about 110 k weights (450 kB),
    /// so one sample costs a few tenths of a millisecond on one CPU thread while the file stays small.
    /// </summary>
    private static readonly (int Outputs, int Stride)[] Convolutions =
    [
        (32, 1),
        (32, 1),
        (32, 1),
        (64, 2),
        (64, 1),
        (64, 1),
    ];

    public static byte[] Build()
    {
        var random = new Random(Seed);
        var builder = new OnnxGraphBuilder(SampleModels.ImageClassifier)
            .AddInput("image", DataType.Fp32, -1, ImageChannels, ImageSize, ImageSize)
            .AddOutput("probabilities", DataType.Fp32, -1, Classes);

        var kernel = OnnxAttribute.Ints("kernel_shape", 3, 3);
        var samePadding = OnnxAttribute.Ints("pads", 1, 1, 1, 1);
        var previous = "image";
        var channels = ImageChannels;
        for (var layer = 1; layer <= Convolutions.Length; layer++)
        {
            var (outputs, stride) = Convolutions[layer - 1];
            var (weights, bias) = ConvParameters(builder, random, $"conv{layer}", channels, outputs);
            var strides = OnnxAttribute.Ints("strides", stride, stride);
            builder
                .AddNode("Conv", [previous, weights, bias], [$"conv{layer}"], kernel, samePadding, strides)
                .AddNode("Relu", [$"conv{layer}"], [$"relu{layer}"]);
            previous = $"relu{layer}";
            channels = outputs;
        }

        var fcWeights = builder.AddInitializer("fc_w", HeUniform(random, channels * Classes, channels), channels, Classes);
        var fcBias = builder.AddInitializer("fc_b", new float[Classes], Classes);
        return builder
            .AddNode("GlobalAveragePool", [previous], ["pooled"])
            .AddNode("Flatten", ["pooled"], ["flat"])
            .AddNode("Gemm", ["flat", fcWeights, fcBias], ["logits"])
            .AddNode("Softmax", ["logits"], ["probabilities"], OnnxAttribute.Int("axis", -1))
            .ToBytes();
    }

    private static (string Weights, string Bias) ConvParameters(OnnxGraphBuilder builder, Random random, string name, int inputs, int outputs)
    {
        var fanIn = inputs * 3 * 3;
        var weights = builder.AddInitializer($"{name}_w", HeUniform(random, outputs * fanIn, fanIn), outputs, inputs, 3, 3);
        var bias = builder.AddInitializer($"{name}_b", new float[outputs], outputs);
        return (weights, bias);
    }

    private static float[] HeUniform(Random random, int count, int fanIn)
    {
        var limit = Math.Sqrt(6.0 / fanIn);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * limit);
        }

        return values;
    }
}
