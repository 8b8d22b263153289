using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

/// <summary>Small graphs to merge, all using the same internal names (x, W, b, h, y) so that merging must keep them apart.</summary>
internal static class MergeTestGraphs
{
    /// <summary>y = x · W + b, W [inputs, outputs] with values from <paramref name="seed"/>.</summary>
    public static ModelProto Linear(int inputs, int outputs, int seed, int opset = 17)
    {
        var random = new Random(seed);
        var graph = new OnnxGraphBuilder($"linear{seed}", opset)
            .AddInput("x", DataType.Fp32, -1, inputs)
            .AddOutput("y", DataType.Fp32, -1, outputs);
        var w = graph.AddInitializer("W", Values(random, inputs * outputs), inputs, outputs);
        var b = graph.AddInitializer("b", Values(random, outputs), outputs);
        graph.AddNode("MatMul", ["x", w], ["h"]).AddNode("Add", ["h", b], ["y"]);
        return Parse(graph);
    }

    /// <summary>y = flag ? x * W : x + b, the two branches If subgraphs that read x, W and b of the enclosing graph.</summary>
    public static ModelProto Branching(float w, float b, string elseOutput = "else_y")
    {
        var graph = new OnnxGraphBuilder("branching")
            .AddInput("flag", DataType.Bool)
            .AddInput("x", DataType.Fp32, -1, 2)
            .AddOutput("y", DataType.Fp32, -1, 2);
        graph.AddInitializer("W", [w]);
        graph.AddInitializer("b", [b]);
        var then = new OnnxGraphBuilder("then").AddNode("Mul", ["x", "W"], ["then_y"]).AddOutput("then_y", DataType.Fp32, -1, 2);
        var otherwise = new OnnxGraphBuilder("else").AddNode("Add", ["x", "b"], [elseOutput]).AddOutput(elseOutput, DataType.Fp32, -1, 2);
        var node = new NodeProto { OpType = "If", Name = "choose" };
        node.Input.Add("flag");
        node.Output.Add("y");
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then.ToModel().Graph });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise.ToModel().Graph });
        graph.AddNode(node);
        return Parse(graph);
    }

    /// <summary>One node of <paramref name="opType"/> (unconnected; only the imports and operators are read) at <paramref name="opset"/>.</summary>
    public static ModelProto OneNode(int opset, (string Domain, long Version)? extra, string domain, string opType)
    {
        var graph = new OnnxGraphBuilder($"{opType}_graph", opset).AddInput("x", DataType.Fp32, -1, 4);
        if (extra is { } import)
        {
            graph.ImportOpset(import.Domain, import.Version);
        }

        graph.AddNode(domain, opType, ["x"], ["y"]);
        return Parse(graph);
    }

    public static ModelProto Parse(OnnxGraphBuilder graph) => ModelProto.Parser.ParseFrom(graph.ToBytes());

    public static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)Math.Round(random.NextDouble() - 0.5, 3)).ToArray();
}
