using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>Which result of a linear head a graph output is.</summary>
internal enum LinearStage
{
    /// <summary>x · W, the MatMul.</summary>
    Product,

    /// <summary>x · W + b, the Add (or a Gemm with a bias).</summary>
    Biased,

    /// <summary>sigmoid(x · W + b).</summary>
    Sigmoid,
}

/// <summary>
/// An ONNX graph recognised as a linear head (design note 0017): in FP32, <c>MatMul(x, W)</c> with W an initializer
/// [F, C] (or <c>Gemm(x, W, b)</c>, alpha 1, beta 1, W transposed or not), optionally then <c>Add(·, b)</c> with b an
/// initializer broadcastable to [C], optionally then <c>Sigmoid</c>; one graph input x [-1, F]; every graph output one
/// of those results. W is held row-major [F, C] as a managed array, so the head runs in C# over sparse rows.
/// </summary>
internal sealed class LinearHead
{
    private LinearHead(string input, int features, int classes, float[] weights, float[]? bias, IReadOnlyDictionary<string, LinearStage> outputs)
    {
        Input = input;
        Features = features;
        Classes = classes;
        Weights = weights;
        Bias = bias;
        Outputs = outputs;
    }

    /// <summary>The graph input x.</summary>
    public string Input { get; }

    /// <summary>F, the rows of W and the columns of x.</summary>
    public int Features { get; }

    /// <summary>C, the columns of W and of the results.</summary>
    public int Classes { get; }

    /// <summary>W, row-major [F, C].</summary>
    public float[] Weights { get; }

    /// <summary>b broadcast to [C], or null when there is no bias.</summary>
    public float[]? Bias { get; }

    /// <summary>Each graph output and the result it is.</summary>
    public IReadOnlyDictionary<string, LinearStage> Outputs { get; }

    /// <summary>The head of <paramref name="model"/>, or why it is not one (e.g. <c>node 'relu' is Relu; ...</c>).</summary>
    public static bool TryRecognize(ModelProto model, [NotNullWhen(true)] out LinearHead? head, [NotNullWhen(false)] out string? reason)
    {
        head = null;
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.ContainsKey(i.Name)).ToArray();
        if (inputs.Length != 1)
        {
            reason = $"the graph has {inputs.Length} inputs; a linear head has one, x [-1, F]";
            return false;
        }

        var x = inputs[0];
        var type = x.Type?.TensorType;
        if (type is null || type.ElemType != (int)TensorProto.Types.DataType.Float || type.Shape is null || type.Shape.Dim.Count != 2)
        {
            reason = $"graph input '{x.Name}' is not an FP32 matrix [-1, F]";
            return false;
        }

        if (graph.Node.Count is 0 or > 3)
        {
            reason = $"the graph has {graph.Node.Count} nodes; a linear head is MatMul (or Gemm), then optionally Add and Sigmoid";
            return false;
        }

        var outputs = new Dictionary<string, LinearStage>(StringComparer.Ordinal);
        var first = graph.Node[0];
        float[] weights;
        int features, classes;
        float[]? bias = null;
        switch (first.OpType)
        {
            case "MatMul" when IsDefaultDomain(first) && first.Input.Count == 2 && first.Input[0] == x.Name:
                if (!TryWeights(first, initializers, transposed: false, out weights, out features, out classes, out reason))
                {
                    return false;
                }

                outputs.Add(first.Output[0], LinearStage.Product);
                break;
            case "Gemm" when IsDefaultDomain(first) && first.Input.Count is 2 or 3 && first.Input[0] == x.Name:
                if (GemmProblem(first) is { } gemm)
                {
                    reason = gemm;
                    return false;
                }

                var transB = first.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
                if (!TryWeights(first, initializers, transposed: transB != 0, out weights, out features, out classes, out reason))
                {
                    return false;
                }

                if (first.Input.Count == 3 && first.Input[2].Length > 0 && !TryBias(first, 2, initializers, classes, out bias, out reason))
                {
                    return false;
                }

                outputs.Add(first.Output[0], bias is null ? LinearStage.Product : LinearStage.Biased);
                break;
            default:
                reason = $"node '{first.Name}' is {first.OpType} of {string.Join(", ", first.Input)}; a linear head begins with MatMul (or Gemm) of graph input '{x.Name}' and an initializer";
                return false;
        }

        if (type.Shape.Dim[1] is { ValueCase: TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue } width && width.DimValue != features)
        {
            reason = $"graph input '{x.Name}' has {width.DimValue} columns but the weights {features} rows";
            return false;
        }

        var previous = first.Output[0];
        var stage = outputs[previous];
        for (var n = 1; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            if (!IsDefaultDomain(node) || node.Output.Count != 1 || !node.Input.Contains(previous))
            {
                reason = $"node '{node.Name}' ({node.OpType}) does not follow the head's {previous}; a linear head is one chain MatMul (or Gemm), Add, Sigmoid";
                return false;
            }

            if (node.OpType == "Add" && stage == LinearStage.Product && node.Input.Count == 2)
            {
                var other = node.Input[0] == previous ? 1 : 0;
                if (node.Input[other] == previous || !TryBias(node, other, initializers, classes, out bias, out reason))
                {
                    reason ??= $"node '{node.Name}' adds the product to itself";
                    return false;
                }

                stage = LinearStage.Biased;
            }
            else if (node.OpType == "Sigmoid" && stage != LinearStage.Sigmoid && node.Input.Count == 1)
            {
                stage = LinearStage.Sigmoid;
            }
            else
            {
                reason = $"node '{node.Name}' is {node.OpType}; after the {(stage == LinearStage.Product ? "MatMul" : stage == LinearStage.Biased ? "bias" : "Sigmoid")} a linear head has {(stage == LinearStage.Product ? "Add or Sigmoid" : stage == LinearStage.Biased ? "Sigmoid" : "nothing")}";
                return false;
            }

            previous = node.Output[0];
            outputs.Add(previous, stage);
        }

        var mapped = new Dictionary<string, LinearStage>(StringComparer.Ordinal);
        foreach (var output in graph.Output)
        {
            if (!outputs.TryGetValue(output.Name, out var result))
            {
                reason = $"graph output '{output.Name}' is not a result of the MatMul, Add or Sigmoid";
                return false;
            }

            mapped.Add(output.Name, result);
        }

        head = new LinearHead(x.Name, features, classes, weights, bias, mapped);
        reason = null;
        return true;
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

    private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private static string? GemmProblem(NodeProto gemm)
    {
        foreach (var attribute in gemm.Attribute)
        {
            var fits = attribute.Name switch
            {
                "alpha" or "beta" => attribute.F == 1f,
                "transA" => attribute.I == 0,
                "transB" => true,
                _ => false,
            };
            if (!fits)
            {
                return $"node '{gemm.Name}' is Gemm with {attribute.Name} {(attribute.Name is "alpha" or "beta" ? attribute.F : attribute.I)}; a linear head's Gemm has alpha 1, beta 1 and transA 0";
            }
        }

        return null;
    }

    private static bool TryWeights(NodeProto node, Dictionary<string, TensorProto> initializers, bool transposed, out float[] weights, out int features, out int classes, [NotNullWhen(false)] out string? reason)
    {
        weights = [];
        features = classes = 0;
        if (!initializers.TryGetValue(node.Input[1], out var w))
        {
            reason = $"node '{node.Name}' ({node.OpType}) multiplies by '{node.Input[1]}', which is not an initializer";
            return false;
        }

        if (w.Dims.Count != 2 || w.Dims[0] < 1 || w.Dims[1] < 1 || w.Dims[0] * w.Dims[1] > Array.MaxLength)
        {
            reason = $"the weights '{w.Name}' have shape [{string.Join(", ", w.Dims)}]; a linear head's are a matrix [F, C]";
            return false;
        }

        if (!TryFloats(w, out var values, out reason))
        {
            return false;
        }

        var (rows, columns) = ((int)w.Dims[0], (int)w.Dims[1]);
        (features, classes) = transposed ? (columns, rows) : (rows, columns);
        weights = transposed ? Transpose(values, rows, columns) : values;
        return true;
    }

    private static bool TryBias(NodeProto node, int index, Dictionary<string, TensorProto> initializers, int classes, out float[]? bias, [NotNullWhen(false)] out string? reason)
    {
        bias = null;
        if (!initializers.TryGetValue(node.Input[index], out var b))
        {
            reason = $"node '{node.Name}' ({node.OpType}) adds '{node.Input[index]}', which is not an initializer";
            return false;
        }

        // [C], [1, C], or one value ([], [1], [1, 1]): shapes that broadcast to [C] and leave [B, C] as it is.
        var shape = b.Dims.ToArray();
        var fits = shape.Length <= 2 && (shape.Length < 2 || shape[0] == 1) && (shape.Length == 0 || shape[^1] == classes || shape[^1] == 1);
        if (!fits)
        {
            reason = $"the bias '{b.Name}' has shape [{string.Join(", ", shape)}], which does not broadcast to [{classes}]";
            return false;
        }

        if (!TryFloats(b, out var values, out reason))
        {
            return false;
        }

        bias = values.Length == classes ? values : Enumerable.Repeat(values[0], classes).ToArray();
        return true;
    }

    private static bool TryFloats(TensorProto tensor, out float[] values, [NotNullWhen(false)] out string? reason)
    {
        values = [];
        var count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            reason = $"the initializer '{tensor.Name}' is not FP32";
            return false;
        }

        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            reason = $"the initializer '{tensor.Name}' is stored as external data";
            return false;
        }

        if (tensor.RawData.Length > 0)
        {
            values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        else
        {
            values = [.. tensor.FloatData];
        }

        if (values.Length != count)
        {
            reason = $"the initializer '{tensor.Name}' holds {values.Length} values for {count} elements";
            return false;
        }

        reason = null;
        return true;
    }

    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var transposed = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return transposed;
    }
}
