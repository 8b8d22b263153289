using Augur.OnnxRuntime.Fusion;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Sharing;
using Augur.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class GraphMergerTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void TwoGraphsWithTheSameNames_GiveWhatRunningThemInTurnGives()
    {
        var first = MergeTestGraphs.Linear(4, 3, seed: 1);
        var second = MergeTestGraphs.Linear(3, 2, seed: 2);
        var fused = new OnnxGraphBuilder("fused").AddInput("features", DataType.Fp32, -1, 4);
        Append(fused, first, "first", new() { ["x"] = "features" }, new() { ["y"] = "hidden" });
        var exposed = Append(fused, second, "second", new() { ["x"] = "hidden" }, new() { ["y"] = "score" });
        fused.AddOutput(Assert.Single(exposed));
        float[] features = [0.5f, -1f, 2f, 0.25f, /**/ 1f, 1f, 1f, 1f, /**/ 0f, 0f, 0f, 0f];
        using var input = OrtTestTensors.Create(DataType.Fp32, features, 3, 4);

        var score = FusedGraphs.Run<float>(fused.ToBytes(), ("features", input));

        using var firstInput = OrtTestTensors.Create(DataType.Fp32, features, 3, 4);
        var hidden = FusedGraphs.Run<float>(first.ToByteArray(), ("x", firstInput));
        using var secondInput = OrtTestTensors.Create(DataType.Fp32, hidden, 3, 3);
        Assert.Equal(FusedGraphs.Run<float>(second.ToByteArray(), ("x", secondInput)), score);
        Assert.Equal(["first/W", "first/b", "second/W", "second/b"], fused.ToModel().Graph.Initializer.Select(t => t.Name));
        Assert.Equal(["first/h", "hidden", "second/h", "score"], fused.ToModel().Graph.Node.SelectMany(n => n.Output));
    }

    [Fact]
    public void FeaturizerThenMergedGraph_GivesTheSpecsFeaturizerThenTheGraph()
    {
        var classifier = MergeTestGraphs.Linear(64, 2, seed: 3);
        Assert.True(FusedOpsets.TryChoose([("classify", classifier)],
            new Dictionary<string, long> { [""] = FeaturizerOpsets.MinimumOpset, [FeaturizerOpsets.MicrosoftDomain] = 1 }, out var opsets, out var problem), problem);
        Assert.Equal([("", 20L), ("com.microsoft", 1L)], opsets.Select(o => (o.Key, o.Value)));
        var fused = new OnnxGraphBuilder("fused", (int)opsets[""]).AddInput("text", DataType.Bytes, -1, 1);
        TextNgramsEmitter.Emit(fused, "featurize", "text", "features", 64, 1, 2, true, 0);
        fused.AddOutput(Assert.Single(Append(fused, classifier, "classify", new() { ["x"] = "features" }, new() { ["y"] = "score" })));
        string[] rows = ["Great product, would buy again", "", "terrible\tterrible  TERRIBLE", "ok"];
        using var text = FusedGraphs.Text(rows);

        var score = FusedGraphs.Run<float>(fused.ToBytes(), ("text", text));

        using var features = OrtTestTensors.Create(DataType.Fp32, SpecFeaturizers.TextNgrams(rows, 64, 1, 2, true, 0), 4, 64);
        Assert.Equal(FusedGraphs.Run<float>(classifier.ToByteArray(), ("x", features)), score);
    }

    [Fact]
    public void FusedGraph_GivesTheSameWithGraphOptimisationsOff()
    {
        // The backend turns optimisations off per model (optimize_graph false); nothing may depend on constant folding.
        var fused = new OnnxGraphBuilder("fused", FeaturizerOpsets.MinimumOpset).AddInput("text", DataType.Bytes, -1, 1).AddInput("code", DataType.Int64, -1, 1);
        TextNgramsEmitter.Emit(fused, "words", "text", "word_counts", 32, 1, 3, true, 9);
        OneHotEmitter.Emit(fused, "codes", "code", "code_flags", [3L, 5L]);
        ConcatEmitter.Emit(fused, ["word_counts", "code_flags"], "features");
        fused.AddOutput(Assert.Single(Append(fused, MergeTestGraphs.Linear(34, 1, seed: 9), "score", new() { ["x"] = "features" }, new() { ["y"] = "score" })));
        var model = fused.ToBytes();
        string[] rows = ["Le Café  CAFÉ", "", "a b c d e f"];

        var scores = new[] { GraphOptimizationLevel.ORT_DISABLE_ALL, GraphOptimizationLevel.ORT_ENABLE_ALL }.Select(level =>
        {
            using var options = new SessionOptions { GraphOptimizationLevel = level };
            using var session = new InferenceSession(model, options);
            using var text = FusedGraphs.Text(rows);
            using var code = OrtTestTensors.Create(DataType.Int64, [5L, 4L, 3L], 3, 1);
            using var outputs = OrtTestTensors.Run(session, ("text", text), ("code", code));
            return OrtTestTensors.Read<float>(outputs[0]);
        }).ToArray();

        using var features = OrtTestTensors.Create(DataType.Fp32, SpecFeaturizers.Concat(3,
            (SpecFeaturizers.TextNgrams(rows, 32, 1, 3, true, 9), 32),
            (SpecFeaturizers.OneHot([5L, 4L, 3L], [3L, 5L]), 2)), 3, 34);
        var expected = FusedGraphs.Run<float>(MergeTestGraphs.Linear(34, 1, seed: 9).ToByteArray(), ("x", features));
        Assert.Equal(expected, scores[0]);
        Assert.Equal(expected, scores[1]);
    }

    [Fact]
    public void Subgraphs_AreRenamedWithTheirGraph()
    {
        var fused = new OnnxGraphBuilder("fused").AddInput("flag", DataType.Bool).AddInput("x", DataType.Fp32, -1, 2);
        var inputs = new Dictionary<string, string> { ["flag"] = "flag", ["x"] = "x" };
        fused.AddOutput(Assert.Single(Append(fused, MergeTestGraphs.Branching(3f, 10f), "a", inputs, new() { ["y"] = "a_y" })));
        fused.AddOutput(Assert.Single(Append(fused, MergeTestGraphs.Branching(-1f, 0.5f), "b", inputs, new() { ["y"] = "b_y" })));
        var model = fused.ToBytes();

        foreach (var flag in new[] { true, false })
        {
            using var session = new InferenceSession(model);
            using var flagValue = OrtTestTensors.Create(DataType.Bool, [flag]);
            using var x = OrtTestTensors.Create(DataType.Fp32, [1f, 2f], 1, 2);
            using var outputs = OrtTestTensors.Run(session, ("flag", flagValue), ("x", x));

            Assert.Equal(flag ? [3f, 6f] : [11f, 12f], OrtTestTensors.Read<float>(outputs[0]));
            Assert.Equal(flag ? [-1f, -2f] : [1.5f, 2.5f], OrtTestTensors.Read<float>(outputs[1]));
        }

        var thenBranch = fused.ToModel().Graph.Node[1].Attribute[0].G;
        Assert.Equal(["x", "b/W"], thenBranch.Node[0].Input);
        Assert.Equal("b/then_y", thenBranch.Output[0].Name);
    }

    [Fact]
    public void Subgraph_ThatRedefinesAnEnclosingName_IsRefused()
    {
        // The else branch names its output y, as the If node's output is named.
        var problem = Refuse(new OnnxGraphBuilder("fused").AddInput("flag", DataType.Bool).AddInput("x", DataType.Fp32, -1, 2),
            MergeTestGraphs.Branching(1f, 1f, elseOutput: "y"), "a", new() { ["flag"] = "flag", ["x"] = "x" }, None);

        Assert.Equal("subgraph 'else' redefines 'y' of an enclosing graph", problem);
    }

    [Fact]
    public void OutputThatIsAnInput_AndAnInputWithAnInitializer_KeepTheirMeaning()
    {
        var graph = new OnnxGraphBuilder("echo").AddInput("x", DataType.Fp32, -1, 2)
            .AddOutput("y", DataType.Fp32, -1, 2).AddOutput("x", DataType.Fp32, -1, 2);
        graph.AddInitializer("gain", [4f], 1);
        graph.AddNode("Mul", ["x", "gain"], ["y"]);
        var model = MergeTestGraphs.Parse(graph);
        // An input with an initializer of the same name: a default a caller may replace.
        model.Graph.Input.Add(MergeTestGraphs.Parse(new OnnxGraphBuilder("t").AddInput("gain", DataType.Fp32, 1)).Graph.Input[0]);
        var fused = new OnnxGraphBuilder("fused").AddInput("features", DataType.Fp32, -1, 2);
        foreach (var output in Append(fused, model, "echo", new() { ["x"] = "features" }, new() { ["x"] = "copy", ["y"] = "scaled" }))
        {
            fused.AddOutput(output);
        }

        using var session = new InferenceSession(fused.ToBytes());
        using var features = OrtTestTensors.Create(DataType.Fp32, [1f, -2f], 1, 2);
        using var outputs = OrtTestTensors.Run(session, ("features", features));

        Assert.Equal(["copy", "scaled"], session.OutputNames);
        Assert.Equal([1f, -2f], OrtTestTensors.Read<float>(outputs[0]));
        Assert.Equal([4f, -8f], OrtTestTensors.Read<float>(outputs[1]));
    }

    [Fact]
    public void LargeInitializers_KeepTheirBytesAndSharingKeys()
    {
        var encoder = MergeTestGraphs.Linear(64, 128, seed: 4);
        var fused = new OnnxGraphBuilder("fused").AddInput("a", DataType.Fp32, -1, 64).AddInput("b", DataType.Fp32, -1, 64);
        Append(fused, encoder, "left", new() { ["x"] = "a" }, None);
        Append(fused, encoder, "right", new() { ["x"] = "b" }, None);

        var original = Assert.Single(ShareableInitializers.Find(encoder, SharedInitializerStore.DefaultMinimumBytes));
        var shared = ShareableInitializers.Find(MergeTestGraphs.Parse(fused), SharedInitializerStore.DefaultMinimumBytes);

        Assert.Equal(["left/W", "right/W"], shared.Select(c => c.Name));
        Assert.All(shared, c => Assert.Equal(original.Key, c.Key));
        Assert.True(shared[0].Data.Span.SequenceEqual(original.Data.Span));
    }

    [Fact]
    public void NewDomains_AreImportedAndTheIrVersionRaised()
    {
        var graph = new OnnxGraphBuilder("ml", opset: 17).ImportOpset("ai.onnx.ml", 3).RequireIrVersion(9)
            .AddInput("x", DataType.Int64, -1, 1).AddOutput("y", DataType.Int64, -1, 1);
        graph.AddNode("ai.onnx.ml", "LabelEncoder", ["x"], ["y"], OnnxAttribute.Ints("keys_int64s", 1, 2), OnnxAttribute.Ints("values_int64s", 10, 20));
        var fused = new OnnxGraphBuilder("fused", opset: 17).AddInput("codes", DataType.Int64, -1, 1);

        fused.AddOutput(Assert.Single(Append(fused, MergeTestGraphs.Parse(graph), "encode", new() { ["x"] = "codes" }, new() { ["y"] = "labels" })));

        Assert.Equal(3, fused.Opsets["ai.onnx.ml"]);
        Assert.Equal(9, fused.IrVersion);
        using var codes = OrtTestTensors.Create(DataType.Int64, [2L, 1L, 5L], 3, 1);
        Assert.Equal([20L, 10L, -1L], FusedGraphs.Run<long>(fused.ToBytes(), ("codes", codes)));
    }

    [Theory]
    [InlineData("unknown input", "the graph has no input 'z'; its inputs are 'x'")]
    [InlineData("unmapped input", "input 'x' of the graph is not mapped to a tensor of the fused graph")]
    [InlineData("undefined tensor", "input 'x' is mapped to 'nowhere', which the fused graph does not define (yet)")]
    [InlineData("unknown output", "the graph has no output 'h'; its outputs are 'y'")]
    [InlineData("taken output", "output 'y' would define 'features', which the fused graph already defines")]
    public void BadMappings_AreRefusedAndNothingIsAppended(string mistake, string expected)
    {
        var fused = new OnnxGraphBuilder("fused").AddInput("features", DataType.Fp32, -1, 4);
        var (inputs, outputs) = mistake switch
        {
            "unknown input" => (new Dictionary<string, string> { ["x"] = "features", ["z"] = "features" }, None),
            "unmapped input" => (None, None),
            "undefined tensor" => (new Dictionary<string, string> { ["x"] = "nowhere" }, None),
            "unknown output" => (new Dictionary<string, string> { ["x"] = "features" }, new Dictionary<string, string> { ["h"] = "hidden" }),
            _ => (new Dictionary<string, string> { ["x"] = "features" }, new Dictionary<string, string> { ["y"] = "features" }),
        };

        Assert.Equal(expected, Refuse(fused, MergeTestGraphs.Linear(4, 2, seed: 5), "step", inputs, outputs));
        Assert.Empty(fused.ToModel().Graph.Node);
        Assert.Empty(fused.ToModel().Graph.Initializer);
    }

    [Fact]
    public void TheSamePrefixTwice_IsRefused()
    {
        var fused = new OnnxGraphBuilder("fused").AddInput("features", DataType.Fp32, -1, 4);
        Append(fused, MergeTestGraphs.Linear(4, 2, seed: 6), "step", new() { ["x"] = "features" }, None);

        var problem = Refuse(fused, MergeTestGraphs.Linear(4, 2, seed: 7), "step", new() { ["x"] = "features" }, None);

        Assert.Equal("the fused graph already defines 'step/h', 'step/y', 'step/W', 'step/b'; give each graph its own prefix", problem);
    }

    [Fact]
    public void ModelLocalFunctions_AreRefused()
    {
        var model = MergeTestGraphs.Linear(4, 2, seed: 8);
        model.Functions.Add(new FunctionProto { Name = "Helper", Domain = "custom" });

        var problem = Refuse(new OnnxGraphBuilder("fused").AddInput("f", DataType.Fp32, -1, 4), model, "step", new() { ["x"] = "f" }, None);

        Assert.Equal("the model defines functions (Helper); graphs with model-local functions are not fused", problem);
    }

    [Fact]
    public void AnMlOperatorThatChanged_IsRefused()
    {
        var fused = new OnnxGraphBuilder("fused", opset: 17).ImportOpset("ai.onnx.ml", 3).AddInput("codes", DataType.Int64, -1, 1);
        var graph = MergeTestGraphs.OneNode(17, ("ai.onnx.ml", 1), "ai.onnx.ml", "LabelEncoder");

        Assert.False(GraphMerger.TryAppend(fused, graph, "encode", new Dictionary<string, string> { ["x"] = "codes" }, new Dictionary<string, string>(), out _, out var problem));

        Assert.Equal("LabelEncoder changed at ai.onnx.ml opset 2: the graph was written for opset 1 and the fused graph imports 3; export the graph at opset 3", problem);
    }

    [Fact]
    public void AGraphNeedingANewerOpsetThanTheFusedGraph_IsRefused()
    {
        var fused = new OnnxGraphBuilder("fused", opset: 20).AddInput("f", DataType.Fp32, -1, 4);

        Assert.False(GraphMerger.TryAppend(fused, MergeTestGraphs.OneNode(21, null, "", "Relu"), "step", new Dictionary<string, string> { ["x"] = "f" }, new Dictionary<string, string>(), out _, out var problem));

        Assert.Equal("the graph needs ai.onnx 21 but the fused graph imports 20", problem);
    }

    private static IReadOnlyList<ValueInfoProto> Append(OnnxGraphBuilder fused, ModelProto model, string prefix, Dictionary<string, string> inputs, Dictionary<string, string> outputs)
    {
        Assert.True(GraphMerger.TryAppend(fused, model, prefix, inputs, outputs, out var exposed, out var problem), problem);
        return exposed;
    }

    private static string Refuse(OnnxGraphBuilder fused, ModelProto model, string prefix, Dictionary<string, string> inputs, Dictionary<string, string> outputs)
    {
        Assert.False(GraphMerger.TryAppend(fused, model, prefix, inputs, outputs, out var exposed, out var problem));
        Assert.Null(exposed);
        return problem;
    }
}
