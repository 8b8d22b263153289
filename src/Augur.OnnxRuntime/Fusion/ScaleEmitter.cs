using Augur.OnnxRuntime.Onnx;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// <c>scale</c> as ONNX operators: <c>(x - offset[j]) * scale[j]</c> for FP32 [B, N] is Sub then Mul with [N]
/// initializers (broadcast over the batch). Two IEEE operations in the same order as the spec, so the results are the
/// same bits as a float computation of the formula.
/// </summary>
internal static class ScaleEmitter
{
    public static void Emit(OnnxGraphBuilder graph, string prefix, string input, string output, float[] offset, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(scale);
        if (offset.Length == 0 || offset.Length != scale.Length)
        {
            throw new ArgumentException($"scale needs offset and scale of the same length N >= 1, not {offset.Length} and {scale.Length}.", nameof(scale));
        }

        var names = new FusionNames(prefix);
        var offsets = graph.AddInitializer(names["offset"], offset, offset.Length);
        var scales = graph.AddInitializer(names["scale"], scale, scale.Length);
        graph.AddNode("Sub", [input, offsets], [names["centred"]]);
        graph.AddNode("Mul", [names["centred"], scales], [output]);
    }
}
