using Augur.OnnxRuntime.Fusion;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class OneHotEmitterTests
{
    [Fact]
    public void Int64_MarksTheCategoryAndLeavesUnknownValuesAtZero()
    {
        long[] categories = [10, 20, 30];
        long[] values = [20, 99, 10, -1];
        using var x = OrtTestTensors.Create(DataType.Int64, values, 4, 1);

        var features = FusedGraphs.Run<float>(Build(DataType.Int64, categories.Length, g => OneHotEmitter.Emit(g, "color", "x", "y", categories)), ("x", x));

        Assert.Equal([0f, 1f, 0f, /**/ 0f, 0f, 0f, /**/ 1f, 0f, 0f, /**/ 0f, 0f, 0f], features);
        Assert.Equal(SpecFeaturizers.OneHot(values, categories), features);
    }

    [Fact]
    public void Strings_CompareBytesExactly()
    {
        string[] categories = ["red", "green", "blé", ""];
        string[] values = ["green", "blue", "blé", "RED", "ble", ""];
        using var x = FusedGraphs.Strings(values, values.Length, 1);

        var features = FusedGraphs.Run<float>(Build(DataType.Bytes, categories.Length, g => OneHotEmitter.Emit(g, "color", "x", "y", categories)), ("x", x));

        Assert.Equal(
            [0f, 1f, 0f, 0f, /**/ 0f, 0f, 0f, 0f, /**/ 0f, 0f, 1f, 0f, /**/ 0f, 0f, 0f, 0f, /**/ 0f, 0f, 0f, 0f, /**/ 0f, 0f, 0f, 1f],
            features);
        Assert.Equal(SpecFeaturizers.OneHot(values, categories), features);
    }

    [Fact]
    public void RefusesRepeatedOrNoCategories()
    {
        var graph = FusedGraphs.New().AddInput("x", DataType.Int64, -1, 1);

        Assert.Throws<ArgumentException>(() => OneHotEmitter.Emit(graph, "a", "x", "y", [1L, 1L]));
        Assert.Throws<ArgumentException>(() => OneHotEmitter.Emit(graph, "b", "x", "y", Array.Empty<string>()));
    }

    [Fact]
    public void Strings_NeedOpset19ForStringEquality()
    {
        var graph = FusedGraphs.New(opset: 17).AddInput("x", DataType.Bytes, -1, 1);

        var error = Assert.Throws<ArgumentException>(() => OneHotEmitter.Emit(graph, "a", "x", "y", ["a"]));
        Assert.Contains("opset 20", error.Message);
    }

    private static byte[] Build(DataType type, int categories, Action<Augur.OnnxRuntime.Onnx.OnnxGraphBuilder> emit)
    {
        var graph = FusedGraphs.New().AddInput("x", type, -1, 1);
        emit(graph);
        return graph.AddOutput("y", DataType.Fp32, -1, categories).ToBytes();
    }
}
