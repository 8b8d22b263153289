using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.OnnxRuntime.Tests.Pipelines;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Which graphs are linear heads (design note 0017), why the others are not, and the head computed in C# over sparse
/// rows against ONNX Runtime over the same rows dense: within 1e-5 relative plus 1e-6 absolute (the sums run in
/// another order).
/// </summary>
public sealed class LinearHeadTests
{
    private static ModelProto Parse(byte[] bytes)
    {
        Assert.True(OnnxModelFile.TryParse(bytes, out var model, out var problem), problem);
        return model;
    }

    private static LinearHead Recognise(byte[] bytes)
    {
        Assert.True(LinearHead.TryRecognize(Parse(bytes), out var head, out var reason), reason);
        return head;
    }

    private static string Reason(byte[] bytes)
    {
        Assert.False(LinearHead.TryRecognize(Parse(bytes), out _, out var reason));
        return reason;
    }

    private static float[] Values(int count, int salt) => Enumerable.Range(0, count).Select(i => MathF.Sin((i + 1) * 0.37f * salt) / 3).ToArray();

    [Fact]
    public void MatMul_then_add_then_sigmoid_is_a_head_with_each_result_named()
    {
        var head = Recognise(PipelineFolders.LinearHead(8));

        Assert.Equal((8, 1), (head.Features, head.Classes));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => MathF.Sin(i * 0.7f) / 2), head.Weights);
        Assert.Equal([0.125f], head.Bias!);
        Assert.Equal(LinearStage.Sigmoid, head.Outputs["score"]);
        Assert.Equal(LinearStage.Biased, head.Outputs["logit"]);
    }

    [Fact]
    public void A_matmul_alone_and_a_bias_added_on_the_left_or_broadcast_from_one_value_are_heads()
    {
        var plain = new OnnxGraphBuilder("h").AddInput("x", DataType.Fp32, -1, 3).AddOutput("y", DataType.Fp32, -1, 2);
        var w = plain.AddInitializer("w", Values(6, 1), 3, 2);
        var matmul = Recognise(plain.AddNode("MatMul", ["x", w], ["y"]).ToBytes());
        Assert.Null(matmul.Bias);
        Assert.Equal(LinearStage.Product, matmul.Outputs["y"]);

        var left = new OnnxGraphBuilder("h").AddInput("x", DataType.Fp32, -1, 3).AddOutput("y", DataType.Fp32, -1, 2);
        var lw = left.AddInitializer("w", Values(6, 1), 3, 2);
        var lb = left.AddInitializer("b", [0.5f], 1, 1);
        var biased = Recognise(left.AddNode("MatMul", ["x", lw], ["p"]).AddNode("Add", [lb, "p"], ["y"]).ToBytes());
        Assert.Equal([0.5f, 0.5f], biased.Bias!);
        Assert.Equal(LinearStage.Biased, biased.Outputs["y"]);
    }

    [Fact]
    public void A_gemm_with_transposed_weights_and_a_bias_is_a_head_with_the_weights_held_f_by_c()
    {
        var builder = new OnnxGraphBuilder("h").AddInput("x", DataType.Fp32, -1, 3).AddOutput("y", DataType.Fp32, -1, 2);
        var w = builder.AddInitializer("w", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = builder.AddInitializer("b", [0.25f, -0.25f], 2);
        var head = Recognise(builder.AddNode("Gemm", ["x", w, b], ["y"], OnnxAttribute.Int("transB", 1)).ToBytes());

        Assert.Equal((3, 2), (head.Features, head.Classes));
        Assert.Equal([1f, 4, 2, 5, 3, 6], head.Weights);
        Assert.Equal([0.25f, -0.25f], head.Bias!);
        Assert.Equal(LinearStage.Biased, head.Outputs["y"]);
    }

    public static TheoryData<string, string> NotHeads => new()
    {
        { "relu", "node 'Relu_2' is Relu; a linear head sums MatMul, Gemm and ReduceSum(Gather) terms and biases with Add, then optionally applies Sigmoid" },
        { "cast", "graph input 'features' is not an FP32 matrix [-1, F] or INT64 ids [-1, K]" },
        { "relu_first", "node 'MatMul_1' (MatMul) multiplies 'r', which is not an FP32 graph input [-1, F]" },
        { "weights_an_input", "node 'MatMul_0' (MatMul) multiplies by 'w', which is not an initializer" },
        { "weights_not_initializer", "node 'MatMul_1' (MatMul) multiplies by 'w', which is not an initializer" },
        { "fp64", "graph input 'x' is not an FP32 matrix [-1, F] or INT64 ids [-1, K]" },
        { "gemm_alpha", "node 'Gemm_0' is Gemm with alpha 2; a linear head's Gemm has alpha 1, beta 1 and transA 0" },
        { "bias_per_row", "the bias 'b' has shape [4, 1], which does not broadcast to [1]" },
        { "other_output", "graph output 'x_again' is not a result of the head's sum or Sigmoid" },
        { "three_d_weights", "the weights 'w' have shape [2, 1, 1]; a linear head's are a matrix [F, C]" },
    };

    [Theory]
    [MemberData(nameof(NotHeads))]
    public void Other_graphs_are_not_heads_and_the_reason_names_the_node_or_tensor(string graph, string reason) =>
        Assert.Equal(reason, Reason(NotAHead(graph)));

    private static byte[] NotAHead(string graph)
    {
        var builder = new OnnxGraphBuilder("h");
        switch (graph)
        {
            case "relu":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1);
                var b = builder.AddInitializer("b", new float[] { 1 }, 1);
                return builder.AddNode("MatMul", ["x", w], ["p"]).AddNode("Add", ["p", b], ["l"]).AddNode("Relu", ["l"], ["y"]).ToBytes();
            }

            case "relu_first":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1);
                return builder.AddNode("Relu", ["x"], ["r"]).AddNode("MatMul", ["r", w], ["y"]).ToBytes();
            }

            case "cast":
                return PipelineFolders.LinearHead(4, DataType.Fp64);
            case "weights_an_input":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddInput("w", DataType.Fp32, 2, 1).AddOutput("y", DataType.Fp32, -1, 1);
                return builder.AddNode("MatMul", ["x", "w"], ["y"]).ToBytes();
            }

            case "weights_not_initializer":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1);
                var ones = builder.AddInitializer("ones", new float[] { 1, 1 }, 2, 1);
                return builder.AddNode("Identity", [ones], ["w"]).AddNode("MatMul", ["x", "w"], ["y"]).ToBytes() is var bytes ? Reorder(bytes) : bytes;
            }

            case "fp64":
            {
                builder.AddInput("x", DataType.Fp64, -1, 2).AddOutput("y", DataType.Fp64, -1, 1);
                return builder.AddNode("Identity", ["x"], ["y"]).ToBytes();
            }

            case "gemm_alpha":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1);
                return builder.AddNode("Gemm", ["x", w], ["y"], OnnxAttribute.Float("alpha", 2)).ToBytes();
            }

            case "bias_per_row":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1);
                var b = builder.AddInitializer("b", new float[] { 1, 2, 3, 4 }, 4, 1);
                return builder.AddNode("MatMul", ["x", w], ["p"]).AddNode("Add", ["p", b], ["y"]).ToBytes();
            }

            case "other_output":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1).AddOutput("x_again", DataType.Fp32, -1, 2);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1);
                return builder.AddNode("MatMul", ["x", w], ["y"]).AddNode("Identity", ["x"], ["x_again"]).ToBytes() is var bytes ? OnlyFirstNode(bytes) : bytes;
            }

            case "three_d_weights":
            {
                builder.AddInput("x", DataType.Fp32, -1, 2).AddOutput("y", DataType.Fp32, -1, 1, 1);
                var w = builder.AddInitializer("w", new float[] { 1, 2 }, 2, 1, 1);
                return builder.AddNode("MatMul", ["x", w], ["y"]).ToBytes();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(graph), graph, null);
        }
    }

    // The MatMul first, its weights made by a node after it: what the recognition reads is the node order's chain.
    private static byte[] Reorder(byte[] bytes)
    {
        var model = Parse(bytes);
        var identity = model.Graph.Node[0];
        model.Graph.Node.RemoveAt(0);
        model.Graph.Node.Add(identity);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    // The graph output x_again kept, the node making it dropped: an output that is no result of the head.
    private static byte[] OnlyFirstNode(byte[] bytes)
    {
        var model = Parse(bytes);
        model.Graph.Node.RemoveAt(1);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    [Theory]
    [InlineData(1, 1, 1, 11)]
    [InlineData(37, 1, 5, 12)]
    [InlineData(300, 3, 8, 13)]
    [InlineData(4096, 2, 32, 14)]
    [InlineData(65536, 1, 4, 15)]
    public void A_random_head_in_csharp_over_sparse_rows_is_onnx_runtime_over_the_dense_rows_within_tolerance(int features, int classes, int batch, int seed)
    {
        var random = new Random(seed);
        var builder = new OnnxGraphBuilder("h").AddInput("x", DataType.Fp32, -1, features)
            .AddOutput("p", DataType.Fp32, -1, classes).AddOutput("z", DataType.Fp32, -1, classes).AddOutput("s", DataType.Fp32, -1, classes);
        var w = builder.AddInitializer("w", Enumerable.Range(0, features * classes).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), features, classes);
        var b = builder.AddInitializer("b", Enumerable.Range(0, classes).Select(_ => (float)random.NextDouble()).ToArray(), classes);
        var bytes = builder.AddNode("MatMul", ["x", w], ["p"]).AddNode("Add", ["p", b], ["z"]).AddNode("Sigmoid", ["z"], ["s"]).ToBytes();
        var rows = RandomRows(random, batch, features);

        var head = Recognise(bytes);
        var ours = head.Apply(rows, [LinearStage.Product, LinearStage.Biased, LinearStage.Sigmoid]);

        using var session = new InferenceSession(bytes);
        using var input = OrtTestTensors.Create(DataType.Fp32, rows.ToDense("x").ToArray<float>(), batch, features);
        using var outputs = OrtTestTensors.Run(session, ("x", input));
        Tolerance.AssertClose(OrtTestTensors.Read<float>(outputs[0]), ours[LinearStage.Product]);
        Tolerance.AssertClose(OrtTestTensors.Read<float>(outputs[1]), ours[LinearStage.Biased]);
        Tolerance.AssertClose(OrtTestTensors.Read<float>(outputs[2]), ours[LinearStage.Sigmoid]);
    }

    /// <summary>Rows of 0 to 200 entries at distinct ascending columns, counts 1 to 3 or any value.</summary>
    private static SparseRows RandomRows(Random random, int batch, int width)
    {
        var starts = new int[batch + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (var row = 0; row < batch; row++)
        {
            var columns = Enumerable.Range(0, random.Next(0, Math.Min(width, 200) + 1)).Select(_ => random.Next(width)).Distinct().Order().ToArray();
            indices.AddRange(columns);
            values.AddRange(columns.Select(_ => random.Next(2) == 0 ? random.Next(1, 4) : (float)((random.NextDouble() * 4) - 2)));
            starts[row + 1] = indices.Count;
        }

        return new SparseRows(width, starts, [.. indices], [.. values]);
    }
}
