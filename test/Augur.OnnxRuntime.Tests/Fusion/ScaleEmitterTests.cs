using Augur.OnnxRuntime.Fusion;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class ScaleEmitterTests
{
    [Fact]
    public void Scale_ComputesByHand()
    {
        var model = Build([1f, 0.5f], [2f, 4f]);
        using var x = OrtTestTensors.Create(DataType.Fp32, [1f, 2f, 3f, 4f], 2, 2);

        Assert.Equal([0f, 6f, 4f, 14f], FusedGraphs.Run<float>(model, ("x", x)));
    }

    [Fact]
    public void Scale_GivesTheSpecsBits()
    {
        var random = new Random(15);
        float[] offset = [0.1f, -3.7f, 1e6f];
        float[] scale = [1f / 3, 2.5e-4f, -7.25f];
        var values = Enumerable.Range(0, 5 * 3).Select(_ => (float)((random.NextDouble() - 0.5) * 1000)).ToArray();
        using var x = OrtTestTensors.Create(DataType.Fp32, values, 5, 3);

        Assert.Equal(SpecFeaturizers.Scale(values, 3, offset, scale), FusedGraphs.Run<float>(Build(offset, scale), ("x", x)));
    }

    [Fact]
    public void Scale_RefusesSettingsOfDifferentLengths()
    {
        var graph = FusedGraphs.New().AddInput("x", DataType.Fp32, -1, 2);

        Assert.Throws<ArgumentException>(() => ScaleEmitter.Emit(graph, "s", "x", "y", [1f, 2f], [1f]));
        Assert.Throws<ArgumentException>(() => ScaleEmitter.Emit(graph, "s", "x", "y", [], []));
    }

    private static byte[] Build(float[] offset, float[] scale)
    {
        var graph = FusedGraphs.New().AddInput("x", DataType.Fp32, -1, offset.Length);
        ScaleEmitter.Emit(graph, "scale", "x", "y", offset, scale);
        return graph.AddOutput("y", DataType.Fp32, -1, offset.Length).ToBytes();
    }
}
