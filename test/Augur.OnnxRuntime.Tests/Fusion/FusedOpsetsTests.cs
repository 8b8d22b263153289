using Augur.OnnxRuntime.Fusion;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class FusedOpsetsTests
{
    private static readonly Dictionary<string, long> Featurizers = new() { [""] = FeaturizerOpsets.MinimumOpset, [FeaturizerOpsets.MicrosoftDomain] = 1 };

    [Fact]
    public void TakesTheHighestVersionOfEachDomain()
    {
        var ml = MergeTestGraphs.OneNode(18, ("ai.onnx.ml", 2), "ai.onnx.ml", "Normalizer");
        var newer = MergeTestGraphs.OneNode(21, ("ai.onnx.ml", 3), "", "Relu");

        Assert.True(FusedOpsets.TryChoose([("a", ml), ("b", newer)], Featurizers, out var opsets, out var problem), problem);

        Assert.Equal([("", 21L), ("ai.onnx.ml", 3L), ("com.microsoft", 1L)], opsets.Select(o => (o.Key, o.Value)));
    }

    [Fact]
    public void AnOperatorThatChangedBetweenTheVersions_IsRefusedNamingTheGraph()
    {
        // ReduceMean took its axes from an attribute until opset 18 and from an input since.
        var graph = MergeTestGraphs.OneNode(17, null, "", "ReduceMean");

        Assert.False(FusedOpsets.TryChoose([("classify", graph)], Featurizers, out var opsets, out var problem));

        Assert.Null(opsets);
        Assert.Equal("graph 'classify': ReduceMean changed at ai.onnx opset 18: the graph was written for opset 17 and the fused graph imports 20; export the graph at opset 20", problem);
    }

    [Fact]
    public void OperatorsThatOnlyGainedTypesOrDefaults_AreShared()
    {
        // Cast (19: saturate, float 8 only), Reshape (14: allowzero, default off), Shape (15: start and end), Add, MatMul.
        var graph = new OnnxGraphBuilder("g", opset: 13).AddInput("x", DataType.Int64, -1, 4).AddOutput("y", DataType.Fp32, -1, 2, 2);
        var shape = graph.AddInitializer("shape", [-1L, 2, 2], 3);
        graph.AddNode("Cast", ["x"], ["xf"], OnnxAttribute.Int("to", 1))
            .AddNode("Reshape", ["xf", shape], ["r"])
            .AddNode("Shape", ["r"], ["s"])
            .AddNode("Cast", ["s"], ["sf"], OnnxAttribute.Int("to", 1))
            .AddNode("MatMul", ["r", graph.AddInitializer("w", [1f, 0f, 0f, 1f], 2, 2)], ["m"])
            .AddNode("Add", ["m", graph.AddInitializer("one", [1f])], ["y"]);
        var model = MergeTestGraphs.Parse(graph);

        Assert.True(FusedOpsets.TryChoose([("g", model)], Featurizers, out var opsets, out var problem), problem);
        Assert.Equal(20, opsets[""]);
    }

    [Fact]
    public void DomainsWithoutATable_MustMatchExactly()
    {
        var graph = MergeTestGraphs.OneNode(20, ("com.microsoft", 2), "com.microsoft", "MurmurHash3");

        Assert.False(FusedOpsets.TryChoose([("hash", graph), ("other", MergeTestGraphs.OneNode(20, ("com.microsoft", 1), "", "Relu"))], Featurizers, out _, out var problem));

        Assert.Equal("graph 'other': the graph imports com.microsoft 1 and the fused graph 2; versions of com.microsoft are shared only when equal", problem);
    }

    [Fact]
    public void AnOperatorUnknownAtTheGraphsVersion_IsRefused()
    {
        Assert.False(FusedOpsets.TryChoose([("g", MergeTestGraphs.OneNode(17, null, "", "NotAnOperator"))], Featurizers, out _, out var problem));
        Assert.Contains("NotAnOperator is not an operator of ai.onnx known to Augur", problem);
    }

    [Fact]
    public void OperatorChanges_AreReadFromTheTable()
    {
        Assert.True(OperatorChanges.TryGet("", "ReduceMean", out var reduceMean));
        Assert.Equal([1, 11, 13, 18], reduceMean);
        Assert.True(OperatorChanges.TryGet("ai.onnx", "Cast", out var cast));
        Assert.Equal([1, 6, 9, 13], cast);
        Assert.True(OperatorChanges.TryGet("ai.onnx.ml", "LabelEncoder", out var labelEncoder));
        Assert.Equal([1, 2, 4], labelEncoder);
        Assert.False(OperatorChanges.TryGet("com.microsoft", "MurmurHash3", out _));
    }
}
