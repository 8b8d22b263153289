using Augur.Inference;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.Testing;

/// <summary>
/// Fine-tuned heads over one frozen encoder, as tests of shared weights need them: <c>y = Relu(x · encoder) · head</c>,
/// x FP32 [-1, 64], an encoder of 64×64 FP32 (16 KiB, the default sharing minimum) and a head of 64×2 (too small to share).
/// </summary>
public static class TenantModels
{
    /// <summary>The input and encoder width.</summary>
    public const int Width = 64;

    /// <summary>The output width.</summary>
    public const int Outputs = 2;

    /// <summary>The encoder's bytes.</summary>
    public const long EncoderBytes = Width * Width * sizeof(float);

    /// <summary>The frozen encoder: a fixed function of <paramref name="seed"/>.</summary>
    public static float[] Encoder(int seed = 1) =>
        Enumerable.Range(0, Width * Width).Select(i => MathF.Sin((i * 0.61f) + seed) / Width).ToArray();

    /// <summary>A tenant's head: a fixed function of <paramref name="tenant"/>.</summary>
    public static float[] Head(int tenant) =>
        Enumerable.Range(0, Width * Outputs).Select(i => MathF.Cos((i * 0.23f) + tenant)).ToArray();

    /// <summary>The model file of one tenant.</summary>
    public static byte[] Model(float[] encoder, float[] head)
    {
        var builder = new OnnxGraphBuilder("tenant")
            .AddInput("x", DataType.Fp32, -1, Width)
            .AddOutput("y", DataType.Fp32, -1, Outputs);
        var enc = builder.AddInitializer("encoder", encoder, Width, Width);
        var top = builder.AddInitializer("head", head, Width, Outputs);
        return builder
            .AddNode("MatMul", ["x", enc], ["hidden"])
            .AddNode("Relu", ["hidden"], ["active"])
            .AddNode("MatMul", ["active", top], ["y"])
            .ToBytes();
    }

    /// <summary>Three rows of fixed inputs.</summary>
    public static InferenceRequest Request(string model) =>
        new(model, [InferenceTensor.Create("x", Enumerable.Range(0, 3 * Width).Select(i => MathF.Sin(i * 0.37f)).ToArray(), 3, Width)]);

    /// <summary>The bits of each output value, so that equal means bit-identical (NaN included).</summary>
    public static int[] Bits(InferenceResponse response) =>
        response["y"].ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
}
