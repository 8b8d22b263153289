using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>Which result of a linear head a graph output is.</summary>
internal enum LinearStage
{
    /// <summary>x · W, the terms' sum (the MatMul, or the Add of the MatMuls and embedding bags).</summary>
    Product,

    /// <summary>x · W + b, the sum with its bias (an Add, or a Gemm with a bias).</summary>
    Biased,

    /// <summary>sigmoid(x · W + b).</summary>
    Sigmoid,
}

/// <summary>
/// One graph input of a linear head and the rows of the head's weights it multiplies: an FP32 x [-1, F] times W [F, C]
/// (a <c>MatMul</c> or <c>Gemm</c>), or INT64 ids [-1, K] whose looked-up table rows are summed (an embedding bag,
/// <c>ReduceSum(Gather(table, ids), axes [1])</c>), which is the count encoding of the ids [-1, B] times the table [B, C].
/// </summary>
/// <param name="Input">The graph input.</param>
/// <param name="IsBag">Whether the input holds ids summed through a table rather than features multiplied by W.</param>
/// <param name="Rows">F, or B, the table's rows: the columns of the input's encoding.</param>
/// <param name="Offset">Where its rows begin in the head's stacked weights.</param>
/// <param name="Node">The node that reads the input (the MatMul, Gemm or Gather), for messages.</param>
/// <param name="Initializer">The initializer holding its weights (W or the table), for messages.</param>
internal sealed record LinearTerm(string Input, bool IsBag, int Rows, int Offset, string Node, string Initializer);

/// <summary>
/// An ONNX graph recognised as a linear head (design note 0017), in FP32: a sum (<c>Add</c>) of terms, one per graph
/// input, each either <c>MatMul(x, W)</c> with W an initializer [F, C] (or <c>Gemm(x, W, b)</c>, alpha 1, beta 1, W
/// transposed or not) or an embedding bag <c>ReduceSum(Gather(table, ids, axis 0), axes [1])</c> with the table an
/// initializer [B] (keepdims 1) or [B, C] (keepdims 0), and of biases, initializers broadcastable to [C]; optionally
/// then <c>Sigmoid</c>; every graph output the sum without its biases, with them, or the sigmoid. Since an embedding bag
/// is the count encoding of its ids times the table, the head is linear over its inputs side by side: the weights are
/// held stacked, row-major [F₁ + B₂ + ..., C], as a managed array, so the head runs in C# over sparse rows.
/// </summary>
internal sealed class LinearHead
{
    internal LinearHead(IReadOnlyList<LinearTerm> terms, int classes, float[] weights, float[]? bias, IReadOnlyDictionary<string, LinearStage> outputs)
    {
        Terms = terms;
        Features = terms.Sum(t => t.Rows);
        Classes = classes;
        Weights = weights;
        Bias = bias;
        Outputs = outputs;
    }

    /// <summary>The head's inputs in the graph's order, each with its rows of <see cref="Weights"/>.</summary>
    public IReadOnlyList<LinearTerm> Terms { get; }

    /// <summary>F, the rows of W: the columns of the inputs' encodings side by side.</summary>
    public int Features { get; }

    /// <summary>C, the columns of W and of the results.</summary>
    public int Classes { get; }

    /// <summary>W, the terms' weights stacked in <see cref="Terms"/>' order, row-major [F, C].</summary>
    public float[] Weights { get; }

    /// <summary>The biases summed and broadcast to [C], or null when there is none.</summary>
    public float[]? Bias { get; }

    /// <summary>Each graph output and the result it is.</summary>
    public IReadOnlyDictionary<string, LinearStage> Outputs { get; }

    /// <summary>The head of <paramref name="model"/>, or why it is not one (e.g. <c>node 'relu' is Relu; ...</c>).</summary>
    public static bool TryRecognize(ModelProto model, [NotNullWhen(true)] out LinearHead? head, [NotNullWhen(false)] out string? reason)
    {
        return new LinearHeadReader(model.Graph).TryRead(out head, out reason);
    }
    /// <summary>
    /// The results for <paramref name="rows"/> ([B, F] sparse): <c>y[r, c] = Σ value × W[index, c]</c> over row r's
    /// entries in ascending column order, in FP32, then <c>+ b[c]</c>, then the sigmoid; each stage asked for as an
    /// FP32 [B, C] tensor. The sums run in another order than ONNX Runtime's, so the last bits may differ.
    /// </summary>
    public Dictionary<LinearStage, float[]> Apply(SparseRows rows, IReadOnlyCollection<LinearStage> wanted)
    {
        var classes = Classes;
        var product = new float[checked(rows.Rows * classes)];
        var weights = Weights;
        for (var row = 0; row < rows.Rows; row++)
        {
            var y = product.AsSpan(row * classes, classes);
            for (var k = rows.RowStarts[row]; k < rows.RowStarts[row + 1]; k++)
            {
                var value = rows.Values[k];
                var w = weights.AsSpan(rows.Indices[k] * classes, classes);
                for (var c = 0; c < y.Length; c++)
                {
                    y[c] += value * w[c];
                }
            }
        }

        var results = new Dictionary<LinearStage, float[]>();
        if (wanted.Contains(LinearStage.Product))
        {
            results[LinearStage.Product] = wanted.Count == 1 ? product : (float[])product.Clone();
        }

        if (!wanted.Contains(LinearStage.Biased) && !wanted.Contains(LinearStage.Sigmoid))
        {
            return results;
        }

        var biased = product;
        if (Bias is { } bias)
        {
            for (var i = 0; i < biased.Length; i++)
            {
                biased[i] += bias[i % classes];
            }
        }

        if (wanted.Contains(LinearStage.Biased))
        {
            results[LinearStage.Biased] = wanted.Contains(LinearStage.Sigmoid) ? (float[])biased.Clone() : biased;
        }

        if (wanted.Contains(LinearStage.Sigmoid))
        {
            for (var i = 0; i < biased.Length; i++)
            {
                biased[i] = 1f / (1f + MathF.Exp(-biased[i]));
            }

            results[LinearStage.Sigmoid] = biased;
        }

        return results;
    }
}
