using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;
using static Augur.OnnxRuntime.Tests.Sparse.BagHeads;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Linear heads with an embedding bag, <c>ReduceSum(Gather(table, ids))</c> (design note 0017): recognised with their
/// weights stacked after the dense part's, computed in C# over the ids' counts within tolerance of ONNX Runtime over the
/// ids themselves (repeated ids, ids 0 and B − 1), and the graphs that look close but are not heads, with the reason.
/// </summary>
public sealed class EmbeddingBagHeadTests
{
    private const int Dense = 5;
    private const int Buckets = 64;
    private const int Ids = 3;

    private static ModelProto Parse(byte[] bytes)
    {
        Assert.True(OnnxModelFile.TryParse(bytes, out var model, out var problem), problem);
        return model;
    }

    [Fact]
    public void The_numeric_familys_head_is_linear_over_its_dense_columns_and_the_counts_of_its_ids()
    {
        Assert.True(LinearHead.TryRecognize(Parse(Build(Shape.Numeric, Dense, Buckets, Ids)), out var head, out var reason), reason);

        Assert.Equal(
            [new LinearTerm("dense", false, Dense, 0, "MatMul_0", "weights"), new LinearTerm("identifiers", true, Buckets, Dense, "Gather_1", "identifier_weights")],
            head.Terms);
        Assert.Equal((Dense + Buckets, 1), (head.Features, head.Classes));
        Assert.Equal(MathF.Sin(0.7f) * 0.5f, head.Weights[0]);
        Assert.Equal(MathF.Sin(0.31f) * 0.25f, head.Weights[Dense]);
        Assert.Equal(MathF.Sin(Buckets * 0.31f) * 0.25f, head.Weights[^1]);
        Assert.Equal([MathF.Sin(1.3f) * 0.125f], head.Bias!);
        Assert.Equal(LinearStage.Sigmoid, head.Outputs["probability"]);
        Assert.Equal(LinearStage.Biased, head.Outputs["logit"]);
    }

    [Fact]
    public void A_table_of_one_or_two_columns_summed_without_keeping_the_axis_is_a_head_in_the_graphs_input_order()
    {
        Assert.True(LinearHead.TryRecognize(Parse(Build(Shape.Column, Dense, Buckets, Ids)), out var column, out var reason), reason);
        Assert.Equal([("identifiers", true, 0), ("dense", false, Buckets)], column.Terms.Select(t => (t.Input, t.IsBag, t.Offset)));

        Assert.True(LinearHead.TryRecognize(Parse(Build(Shape.Classes, Dense, Buckets, Ids)), out var classes, out reason), reason);
        Assert.Equal((Dense + Buckets, 2), (classes.Features, classes.Classes));
        Assert.Equal(LinearStage.Biased, classes.Outputs["logit"]);
    }

    public static TheoryData<Shape, string> NearMisses => new()
    {
        { Shape.OtherAxis, "node 'ReduceSum_2' (ReduceSum) sums over axes [0]; an embedding bag sums over the ids, axes [1]" },
        { Shape.KeepDimsZero, "node 'ReduceSum_2' (ReduceSum) has keepdims 0, so over the table 'identifier_weights' [64] its result is [N], not [N, 1]" },
        { Shape.GatherAxisOne, "node 'Gather_1' (Gather) gathers along axis 1; an embedding bag gathers the table's rows, axis 0" },
        { Shape.TableNotInitializer, "node 'Gather_2' (Gather) looks ids up in 'identifier_weights', which is not an initializer" },
    };

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void Graphs_that_look_close_are_not_heads_and_the_reason_names_the_node(Shape shape, string reason)
    {
        Assert.False(LinearHead.TryRecognize(Parse(Build(shape, Dense, Buckets, Ids)), out _, out var actual));
        Assert.Equal(reason, actual);
    }

    [Fact]
    public void A_table_with_as_many_columns_as_classes_summed_keeping_the_axis_is_not_a_head()
    {
        var builder = new OnnxGraphBuilder("h").AddInput("ids", DataType.Int64, -1, 2).AddOutput("y", DataType.Fp32, -1, 1, 2);
        var table = builder.AddInitializer("table", new float[8], 4, 2);
        var axes = builder.AddInitializer("axes", [1L], 1);
        var bytes = builder.AddNode("Gather", [table, "ids"], ["g"]).AddNode("ReduceSum", ["g", axes], ["y"]).ToBytes();

        Assert.False(LinearHead.TryRecognize(Parse(bytes), out _, out var reason));
        Assert.Equal("node 'ReduceSum_1' (ReduceSum) has keepdims 1, so over the table 'table' [4, 2] its result is [N, 1, 2], not [N, 2]", reason);
    }

    [Theory]
    [InlineData(Shape.Numeric)]
    [InlineData(Shape.Column)]
    [InlineData(Shape.Classes)]
    public void The_head_in_csharp_over_the_ids_counts_is_onnx_runtime_over_the_ids_within_tolerance(Shape shape)
    {
        var bytes = Build(shape, Dense, Buckets, Ids);
        Assert.True(LinearHead.TryRecognize(Parse(bytes), out var head, out var reason), reason);
        // Repeated ids, the first and last rows of the table, and a few others.
        long[][] rows = [[0, 0, 0], [Buckets - 1, Buckets - 1, 0], [5, 7, 5], [Buckets - 1, 1, 2], [9, 10, 11], [0, Buckets - 1, 32]];
        var ids = rows.SelectMany(r => r).ToArray();
        var dense = Enumerable.Range(0, rows.Length * Dense).Select(i => MathF.Cos(i * 0.9f) * 3).ToArray();
        var parts = head.Terms.Select(t => t.IsBag
            ? SparseRows.FromIds(ids, rows.Length, Buckets)
            : SparseRows.FromDense(InferenceTensor.Create("dense", dense, rows.Length, Dense))).ToArray();

        var ours = head.Apply(SparseRows.Concat(parts), [LinearStage.Biased, LinearStage.Sigmoid]);

        using var session = new InferenceSession(bytes);
        using var denseValue = OrtTestTensors.Create(DataType.Fp32, dense, rows.Length, Dense);
        using var idsValue = OrtTestTensors.Create(DataType.Int64, ids, rows.Length, Ids);
        using var outputs = OrtTestTensors.Run(session, ("dense", denseValue), ("identifiers", idsValue));
        Tolerance.AssertClose(OrtTestTensors.Read<float>(outputs[0]), ours[LinearStage.Sigmoid]);
        Tolerance.AssertClose(OrtTestTensors.Read<float>(outputs[1]), ours[LinearStage.Biased]);
    }

    [Fact]
    public void Ids_as_counts_list_each_id_once_ascending_with_how_often_the_row_holds_it()
    {
        var counts = SparseRows.FromIds([5, 0, 5, 7, 7, 7, 3, 2, 1], 3, 8);

        Assert.Equal([0, 2, 3, 6], counts.RowStarts);
        Assert.Equal([0, 5, 7, 1, 2, 3], counts.Indices);
        Assert.Equal([1f, 2, 3, 1, 1, 1], counts.Values);
        Assert.Equal(8, counts.Width);
    }
}
