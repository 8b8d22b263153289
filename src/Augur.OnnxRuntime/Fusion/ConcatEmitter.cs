using Augur.OnnxRuntime.Onnx;

namespace Augur.OnnxRuntime.Fusion;

/// <summary><c>concat</c> as one ONNX Concat along axis 1: FP32 [B, N1], [B, N2], ... side by side.</summary>
internal static class ConcatEmitter
{
    public static void Emit(OnnxGraphBuilder graph, string[] inputs, string output)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (inputs.Length < 2)
        {
            throw new ArgumentException($"concat needs at least two inputs, not {inputs.Length}.", nameof(inputs));
        }

        graph.AddNode("Concat", inputs, [output], OnnxAttribute.Int("axis", 1));
    }
}
