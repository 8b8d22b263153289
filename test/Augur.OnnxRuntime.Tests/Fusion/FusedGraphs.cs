using System.Text;
using Augur.OnnxRuntime.Fusion;
using Augur.OnnxRuntime.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests.Fusion;

/// <summary>Builds fused graphs at the featurizers' opset and runs them in ONNX Runtime.</summary>
internal static class FusedGraphs
{
    public static OnnxGraphBuilder New(int opset = FeaturizerOpsets.MinimumOpset) => new("fused", opset);

    public static OrtValue Text(params string[] rows) =>
        OrtTestTensors.CreateStrings(rows.Select(Encoding.UTF8.GetBytes).ToArray(), rows.Length, 1);

    public static OrtValue Strings(string[] values, params long[] shape) =>
        OrtTestTensors.CreateStrings(values.Select(Encoding.UTF8.GetBytes).ToArray(), shape);

    /// <summary>Runs <paramref name="model"/> and returns its first output's values.</summary>
    public static T[] Run<T>(byte[] model, params (string Name, OrtValue Value)[] inputs) where T : unmanaged
    {
        using var session = new InferenceSession(model);
        using var outputs = OrtTestTensors.Run(session, inputs);
        return OrtTestTensors.Read<T>(outputs[0]);
    }

    /// <summary>The shape of the first output of <paramref name="model"/> for <paramref name="inputs"/>.</summary>
    public static long[] OutputShape(byte[] model, params (string Name, OrtValue Value)[] inputs)
    {
        using var session = new InferenceSession(model);
        using var outputs = OrtTestTensors.Run(session, inputs);
        return outputs[0].GetTensorTypeAndShape().Shape;
    }
}
