using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>Pipeline model folders for tests: pipeline.json and the ONNX files its steps name, in version 1.</summary>
internal static class PipelineFolders
{
    public static string Write(string repository, string model, string pipeline, params (string File, byte[] Bytes)[] graphs)
    {
        var version = Path.Combine(repository, model, "1");
        Directory.CreateDirectory(version);
        File.WriteAllText(Path.Combine(version, "pipeline.json"), pipeline);
        foreach (var (file, bytes) in graphs)
        {
            File.WriteAllBytes(Path.Combine(version, file), bytes);
        }

        return version;
    }

    /// <summary>
    /// <c>features</c> FP32 [-1, <paramref name="width"/>] → <c>score</c> = sigmoid(features · w + b) FP32 [-1, 1], and
    /// <c>logit</c> FP32 [-1, 1] before the sigmoid; w and b fixed functions of the width; an input of another type is cast to FP32 first.
    /// </summary>
    public static byte[] LinearHead(int width, DataType inputType = DataType.Fp32)
    {
        var builder = new OnnxGraphBuilder("head")
            .AddInput("features", inputType, -1, width)
            .AddOutput("score", DataType.Fp32, -1, 1)
            .AddOutput("logit", DataType.Fp32, -1, 1);
        var weights = builder.AddInitializer("w", Enumerable.Range(0, width).Select(i => MathF.Sin(i * 0.7f) / 2).ToArray(), width, 1);
        var bias = builder.AddInitializer("b", [0.125f], 1);
        var features = "features";
        if (inputType != DataType.Fp32)
        {
            builder.AddNode("Cast", ["features"], ["features_fp32"], OnnxAttribute.Int("to", 1));
            features = "features_fp32";
        }

        return builder
            .AddNode("MatMul", [features, weights], ["product"])
            .AddNode("Add", ["product", bias], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["score"])
            .ToBytes();
    }
}
