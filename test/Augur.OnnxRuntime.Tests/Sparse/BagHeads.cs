using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Heads with an embedding bag (design note 0017), in the form of the PRETZEL numeric family's: <c>dense</c> FP32
/// [-1, F] and <c>identifiers</c> INT64 [-1, K] → <c>probability</c> = sigmoid(dense · W + ReduceSum(Gather(table,
/// identifiers)) + b) FP32 [-1, C], with <c>logit</c> before the sigmoid; and the near misses that are not heads.
/// </summary>
public static class BagHeads
{
    /// <summary>The variants: the numeric family's, others that are heads too, and near misses.</summary>
    public enum Shape
    {
        /// <summary>Table [B], ReduceSum axes [1] keepdims 1, as the numeric family's: C = 1.</summary>
        Numeric,

        /// <summary>Table [B, 1], ReduceSum axes [-2] (that is [1] of [N, K, 1]) keepdims 0, the ids input first.</summary>
        Column,

        /// <summary>Table [B, 2], ReduceSum keepdims 0, a Gemm (transB, with its bias) for the dense part: C = 2.</summary>
        Classes,

        /// <summary>Near miss: ReduceSum over axes [0] (the rows); only read, never run.</summary>
        OtherAxis,

        /// <summary>Near miss: table [B] with keepdims 0, so the bag is [N] against the dense part's [N, 1]; only read, never run.</summary>
        KeepDimsZero,

        /// <summary>Near miss: Gather along axis 1 of a table [1, B].</summary>
        GatherAxisOne,

        /// <summary>Near miss: the table made by a node (an Identity of an initializer), not an initializer.</summary>
        TableNotInitializer,
    }

    /// <summary>W [F, C] (or its transpose for <see cref="Shape.Classes"/>), the table, and b: fixed functions of the sizes.</summary>
    public static byte[] Build(Shape shape, int dense, int buckets, int ids)
    {
        var classes = shape == Shape.Classes ? 2 : 1;
        var builder = new OnnxGraphBuilder("bag_head");
        if (shape == Shape.Column)
        {
            builder.AddInput("identifiers", DataType.Int64, -1, ids).AddInput("dense", DataType.Fp32, -1, dense);
        }
        else
        {
            builder.AddInput("dense", DataType.Fp32, -1, dense).AddInput("identifiers", DataType.Int64, -1, ids);
        }

        builder.AddOutput("probability", DataType.Fp32, -1, classes).AddOutput("logit", DataType.Fp32, -1, classes);
        var w = Values(dense * classes, 0.7f, 0.5f);
        var table = Values(buckets * classes, 0.31f, 0.25f);
        var bias = builder.AddInitializer("bias", Values(classes, 1.3f, 0.125f), classes);
        switch (shape)
        {
            case Shape.Classes:
                builder.AddNode("Gemm", ["dense", builder.AddInitializer("weights", w, classes, dense), bias], ["dense_logit"], OnnxAttribute.Int("transB", 1));
                break;
            default:
                builder.AddNode("MatMul", ["dense", builder.AddInitializer("weights", w, dense, classes)], ["dense_logit"]);
                break;
        }

        var axes = builder.AddInitializer("sum_axes", [shape switch { Shape.OtherAxis => 0L, Shape.Column => -2L, _ => 1L }], 1);
        var keepDims = shape is Shape.Column or Shape.Classes or Shape.KeepDimsZero ? 0 : 1;
        switch (shape)
        {
            case Shape.GatherAxisOne:
                // [1, B] gathered along axis 1 is [1, N, K]: not the head's shape (only read, never run).
                builder.AddNode("Gather", [builder.AddInitializer("identifier_weights", table, 1, buckets), "identifiers"], ["identifier_terms"], OnnxAttribute.Int("axis", 1));
                builder.AddNode("ReduceSum", ["identifier_terms", axes], ["identifier_logit"], OnnxAttribute.Int("keepdims", keepDims));
                break;
            case Shape.TableNotInitializer:
                builder.AddNode("Identity", [builder.AddInitializer("stored_weights", table, buckets)], ["identifier_weights"]);
                builder.AddNode("Gather", ["identifier_weights", "identifiers"], ["identifier_terms"], OnnxAttribute.Int("axis", 0));
                builder.AddNode("ReduceSum", ["identifier_terms", axes], ["identifier_logit"], OnnxAttribute.Int("keepdims", keepDims));
                break;
            default:
                var tableShape = shape switch { Shape.Column => new long[] { buckets, 1 }, Shape.Classes => [buckets, classes], _ => [buckets] };
                builder.AddNode("Gather", [builder.AddInitializer("identifier_weights", table, tableShape), "identifiers"], ["identifier_terms"], OnnxAttribute.Int("axis", 0));
                builder.AddNode("ReduceSum", ["identifier_terms", axes], ["identifier_logit"], OnnxAttribute.Int("keepdims", keepDims));
                break;
        }

        builder.AddNode("Add", ["dense_logit", "identifier_logit"], [shape == Shape.Classes ? "logit" : "logit_unbiased"]);
        if (shape != Shape.Classes)
        {
            builder.AddNode("Add", [bias, "logit_unbiased"], ["logit"]);
        }

        return builder.AddNode("Sigmoid", ["logit"], ["probability"]).ToBytes();
    }

    private static float[] Values(int count, float frequency, float scale) => Enumerable.Range(0, count).Select(i => MathF.Sin((i + 1) * frequency) * scale).ToArray();
}
