using Augur.OnnxRuntime.Fusion;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class ConcatEmitterTests
{
    [Fact]
    public void PutsInputsSideBySide()
    {
        var graph = FusedGraphs.New().AddInput("a", DataType.Fp32, -1, 2).AddInput("b", DataType.Fp32, -1, 1).AddInput("c", DataType.Fp32, -1, 2);
        ConcatEmitter.Emit(graph, ["a", "b", "c"], "y");
        var model = graph.AddOutput("y", DataType.Fp32, -1, 5).ToBytes();
        using var a = OrtTestTensors.Create(DataType.Fp32, [1f, 2f, 10f, 20f], 2, 2);
        using var b = OrtTestTensors.Create(DataType.Fp32, [3f, 30f], 2, 1);
        using var c = OrtTestTensors.Create(DataType.Fp32, [4f, 5f, 40f, 50f], 2, 2);

        var features = FusedGraphs.Run<float>(model, ("a", a), ("b", b), ("c", c));

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 10f, 20f, 30f, 40f, 50f], features);
        Assert.Equal(SpecFeaturizers.Concat(2, ([1f, 2f, 10f, 20f], 2), ([3f, 30f], 1), ([4f, 5f, 40f, 50f], 2)), features);
    }

    [Fact]
    public void ScaleAndOneHotThenConcat_GiveTheSpecsFeatures()
    {
        var graph = FusedGraphs.New().AddInput("amount", DataType.Fp32, -1, 2).AddInput("country", DataType.Bytes, -1, 1);
        ScaleEmitter.Emit(graph, "amount_scaled", "amount", "scaled", [10f, 0f], [0.5f, 2f]);
        OneHotEmitter.Emit(graph, "country_onehot", "country", "countries", ["fr", "de", "it"]);
        ConcatEmitter.Emit(graph, ["scaled", "countries"], "features");
        var model = graph.AddOutput("features", DataType.Fp32, -1, 5).ToBytes();
        float[] amounts = [12f, 1f, 8f, -1f, 10f, 0f];
        string[] countries = ["de", "es", "fr"];
        using var amount = OrtTestTensors.Create(DataType.Fp32, amounts, 3, 2);
        using var country = FusedGraphs.Strings(countries, 3, 1);

        var features = FusedGraphs.Run<float>(model, ("amount", amount), ("country", country));

        Assert.Equal([1f, 2f, 0f, 1f, 0f, /**/ -1f, -2f, 0f, 0f, 0f, /**/ 0f, 0f, 1f, 0f, 0f], features);
        Assert.Equal(SpecFeaturizers.Concat(3,
            (SpecFeaturizers.Scale(amounts, 2, [10f, 0f], [0.5f, 2f]), 2),
            (SpecFeaturizers.OneHot(countries, ["fr", "de", "it"]), 3)), features);
    }

    [Fact]
    public void RefusesFewerThanTwoInputs() =>
        Assert.Throws<ArgumentException>(() => ConcatEmitter.Emit(FusedGraphs.New().AddInput("a", DataType.Fp32, -1, 1), ["a"], "y"));
}
