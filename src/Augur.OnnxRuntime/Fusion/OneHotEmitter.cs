using Augur.OnnxRuntime.Onnx;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// <c>one_hot</c> as ONNX operators: Equal of the [B, 1] input against a [C] initializer of the categories (broadcast to
/// [B, C]), then Cast to FP32. A value not among the categories equals none of them, so its row is all zeros; no
/// "not found" index is needed. Equal compares INT64 in every opset and strings (byte for byte) from opset 19.
/// </summary>
internal static class OneHotEmitter
{
    /// <summary>INT64 [B, 1] categories.</summary>
    public static void Emit(OnnxGraphBuilder graph, string prefix, string input, string output, long[] categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        RequireDistinct(categories);
        var names = new FusionNames(prefix);
        Emit(graph, names, input, output, graph.AddInitializer(names["categories"], categories, categories.Length));
    }

    /// <summary>BYTES [B, 1] categories, compared as UTF-8 bytes.</summary>
    public static void Emit(OnnxGraphBuilder graph, string prefix, string input, string output, string[] categories)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(categories);
        FeaturizerOpsets.RequireDefault(graph);
        RequireDistinct(categories);
        var names = new FusionNames(prefix);
        Emit(graph, names, input, output, graph.AddInitializer(names["categories"], categories, categories.Length));
    }

    private static void Emit(OnnxGraphBuilder graph, FusionNames names, string input, string output, string categories)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        graph.AddNode("Equal", [input, categories], [names["matches"]]);
        graph.AddNode("Cast", [names["matches"]], [output], OnnxAttribute.Int("to", OnnxElementTypes.From(Augur.Tensors.DataType.Fp32)));
    }

    private static void RequireDistinct<T>(T[] categories)
    {
        if (categories.Length == 0 || categories.Distinct().Count() != categories.Length)
        {
            throw new ArgumentException("one_hot needs at least one category and no category twice.", nameof(categories));
        }
    }
}
