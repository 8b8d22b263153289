using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// Reads a graph as a <see cref="LinearHead"/> (design note 0017), or says why it is not one, naming the node or tensor:
/// from the one node whose result no node reads (a <c>Sigmoid</c>, or the sum itself) down through the <c>Add</c>s to
/// the terms and the biases, each node once, every node of the graph among them.
/// </summary>
internal sealed class LinearHeadReader
{
    /// <summary>More nodes than this are not a head (and would make the recursive reading deep).</summary>
    private const int MaxNodes = 256;

    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly Dictionary<string, ValueInfoProto> _inputs = new(StringComparer.Ordinal);
    private readonly List<string> _inputOrder = [];
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _visited = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Term> _terms = new(StringComparer.Ordinal);
    private readonly List<(NodeProto Node, string Name)> _biases = [];
    private readonly Dictionary<string, (int Terms, int Biases)> _sums = new(StringComparer.Ordinal);

    public LinearHeadReader(GraphProto graph)
    {
        _graph = graph;
        _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The graph as a linear head, or why it is not one.</summary>
    public bool TryRead([NotNullWhen(true)] out LinearHead? head, [NotNullWhen(false)] out string? reason)
    {
        head = null;
        if (!TryReadInputs(out reason) || !TryReadNodes(out var end, out reason))
        {
            return false;
        }

        NodeProto? sigmoid = null;
        var logit = end.Output[0];
        if (end.OpType == "Sigmoid" && end.Input.Count == 1)
        {
            sigmoid = end;
            _visited.Add(end);
            logit = end.Input[0];
        }

        if (!TrySum(end, logit, out var whole, out reason))
        {
            return false;
        }

        if (_graph.Node.FirstOrDefault(n => !_visited.Contains(n)) is { } stray)
        {
            reason = $"node '{stray.Name}' ({stray.OpType}) is not part of the head's sum{(sigmoid is null ? "" : " or its Sigmoid")}";
            return false;
        }

        if (_inputOrder.FirstOrDefault(i => !_terms.ContainsKey(i)) is { } unread)
        {
            reason = $"graph input '{unread}' is read by no term of the head";
            return false;
        }

        var terms = _inputOrder.Select(i => _terms[i]).ToArray();
        if (terms.FirstOrDefault(t => t.Classes != terms[0].Classes) is { } other)
        {
            reason = $"node '{other.Node.Name}' ({other.Node.OpType}) gives {other.Classes} columns but node '{terms[0].Node.Name}' ({terms[0].Node.OpType}) {terms[0].Classes}; a linear head's terms have the same width";
            return false;
        }

        var classes = terms[0].Classes;
        float[]? bias = null;
        foreach (var (node, name) in _biases)
        {
            if (!TryBias(node, name, classes, out var values, out reason))
            {
                return false;
            }

            bias ??= new float[classes];
            for (var c = 0; c < classes; c++)
            {
                bias[c] += values[c];
            }
        }

        if (!TryOutputs(sigmoid, whole, out var outputs, out reason))
        {
            return false;
        }

        if (terms.Sum(t => (long)t.Rows * classes) > Array.MaxLength)
        {
            reason = $"the head's weights, {terms.Sum(t => (long)t.Rows)} × {classes}, do not fit in one array";
            return false;
        }

        var weights = new float[terms.Sum(t => t.Rows * classes)];
        var placed = new List<LinearTerm>(terms.Length);
        var offset = 0;
        foreach (var term in terms)
        {
            term.Weights.CopyTo(weights, offset * classes);
            placed.Add(new LinearTerm(term.Input, term.IsBag, term.Rows, offset, term.Node.Name, term.WeightsName));
            offset += term.Rows;
        }

        head = new LinearHead(placed, classes, weights, bias, outputs);
        return true;
    }

    private bool TryReadInputs([NotNullWhen(false)] out string? reason)
    {
        foreach (var input in _graph.Input.Where(i => !_initializers.ContainsKey(i.Name)))
        {
            var type = input.Type?.TensorType;
            if (type?.Shape is not { Dim.Count: 2 } || type.ElemType is not (Float or Int64))
            {
                reason = $"graph input '{input.Name}' is not an FP32 matrix [-1, F] or INT64 ids [-1, K]";
                return false;
            }

            if (!_inputs.TryAdd(input.Name, input))
            {
                reason = $"graph input '{input.Name}' is listed twice";
                return false;
            }

            _inputOrder.Add(input.Name);
        }

        reason = _inputs.Count == 0 ? "the graph has no inputs; a linear head reads FP32 x [-1, F] or INT64 ids [-1, K]" : null;
        return reason is null;
    }

    private bool TryReadNodes([NotNullWhen(true)] out NodeProto? end, [NotNullWhen(false)] out string? reason)
    {
        end = null;
        if (_graph.Node.Count is 0 or > MaxNodes)
        {
            reason = $"the graph has {_graph.Node.Count} nodes; a linear head has 1 to {MaxNodes}";
            return false;
        }

        foreach (var node in _graph.Node)
        {
            if (node.Domain is not ("" or "ai.onnx") || node.Output.Count != 1)
            {
                reason = $"node '{node.Name}' ({node.OpType}) is not a default-domain operator with one output, as a linear head's nodes are";
                return false;
            }

            _producers[node.Output[0]] = node;
        }

        var read = _graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var ends = _graph.Node.Where(n => !read.Contains(n.Output[0])).ToArray();
        if (ends.Length != 1)
        {
            reason = $"the graph ends in {ends.Length} nodes ({string.Join(", ", ends.Select(n => $"'{n.Name}'"))}); a linear head ends in one, its sum or the Sigmoid of it";
            return false;
        }

        end = ends[0];
        reason = null;
        return true;
    }

    /// <summary>Reads <paramref name="value"/> (read by <paramref name="reader"/>) as a sum of terms and biases; <paramref name="sum"/> counts them.</summary>
    private bool TrySum(NodeProto reader, string value, out (int Terms, int Biases) sum, [NotNullWhen(false)] out string? reason)
    {
        sum = default;
        reason = null;
        if (_initializers.ContainsKey(value))
        {
            _biases.Add((reader, value));
            sum = (0, 1);
            return true;
        }

        if (_inputs.ContainsKey(value))
        {
            reason = $"graph input '{value}' is added as it is; a linear head's terms are MatMul, Gemm or ReduceSum(Gather) of its inputs";
            return false;
        }

        if (!_producers.TryGetValue(value, out var node))
        {
            reason = $"tensor '{value}' is made by no node";
            return false;
        }

        if (!_visited.Add(node))
        {
            reason = $"tensor '{value}' is read twice in the head's sum";
            return false;
        }

        if (!TryNode(node, out sum, out reason))
        {
            return false;
        }

        _sums[value] = sum;
        return true;
    }

    private bool TryNode(NodeProto node, out (int Terms, int Biases) sum, [NotNullWhen(false)] out string? reason)
    {
        sum = (1, 0);
        switch (node.OpType)
        {
            case "Add" when node.Input.Count == 2:
                if (!TrySum(node, node.Input[0], out var left, out reason) || !TrySum(node, node.Input[1], out var right, out reason))
                {
                    return false;
                }

                sum = (left.Terms + right.Terms, left.Biases + right.Biases);
                return true;
            case "MatMul" when node.Input.Count == 2:
                return TryProduct(node, transposed: false, out reason);
            case "Gemm" when node.Input.Count is 2 or 3:
                if (!TryGemm(node, out var biased, out reason))
                {
                    return false;
                }

                sum = (1, biased ? 1 : 0);
                return true;
            case "ReduceSum" when node.Input.Count is 1 or 2:
                return TryBag(node, out reason);
            default:
                reason = $"node '{node.Name}' is {node.OpType}; a linear head sums MatMul, Gemm and ReduceSum(Gather) terms and biases with Add, then optionally applies Sigmoid";
                return false;
        }
    }

    private bool TryGemm(NodeProto gemm, out bool biased, [NotNullWhen(false)] out string? reason)
    {
        biased = false;
        if ((reason = GemmProblem(gemm)) is not null)
        {
            return false;
        }

        var transB = gemm.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
        if (!TryProduct(gemm, transposed: transB != 0, out reason))
        {
            return false;
        }

        if (gemm.Input.Count == 3 && gemm.Input[2].Length > 0)
        {
            _biases.Add((gemm, gemm.Input[2]));
            biased = true;
        }

        return true;
    }

    private bool TryProduct(NodeProto node, bool transposed, [NotNullWhen(false)] out string? reason)
    {
        var x = node.Input[0];
        if (!_inputs.TryGetValue(x, out var input) || input.Type.TensorType.ElemType != Float)
        {
            reason = $"node '{node.Name}' ({node.OpType}) multiplies '{x}', which is not an FP32 graph input [-1, F]";
            return false;
        }

        if (!TryWeights(node, transposed, out var weights, out var features, out var classes, out reason))
        {
            return false;
        }

        if (input.Type.TensorType.Shape.Dim[1] is { ValueCase: TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue } width && width.DimValue != features)
        {
            reason = $"graph input '{x}' has {width.DimValue} columns but the weights {features} rows";
            return false;
        }

        return TryAddTerm(new Term(x, false, weights, features, classes, node, node.Input[1]), out reason);
    }

    /// <summary><c>ReduceSum(Gather(table, ids, axis 0), axes [1])</c>, whose result is [N, C] (a table [B] kept to [N, 1], a table [B, C] not kept).</summary>
    private bool TryBag(NodeProto reduce, [NotNullWhen(false)] out string? reason)
    {
        var gathered = reduce.Input[0];
        if (!_producers.TryGetValue(gathered, out var gather) || gather.OpType != "Gather" || gather.Input.Count != 2)
        {
            reason = $"node '{reduce.Name}' (ReduceSum) sums '{gathered}', which no Gather makes; a linear head's ReduceSum sums an embedding bag, Gather(table, ids)";
            return false;
        }

        if (!_visited.Add(gather))
        {
            reason = $"tensor '{gathered}' is read twice in the head's sum";
            return false;
        }

        var axis = gather.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
        if (axis != 0)
        {
            reason = $"node '{gather.Name}' (Gather) gathers along axis {axis}; an embedding bag gathers the table's rows, axis 0";
            return false;
        }

        if (!_initializers.TryGetValue(gather.Input[0], out var table))
        {
            reason = $"node '{gather.Name}' (Gather) looks ids up in '{gather.Input[0]}', which is not an initializer";
            return false;
        }

        var ids = gather.Input[1];
        if (!_inputs.TryGetValue(ids, out var input) || input.Type.TensorType.ElemType != Int64)
        {
            reason = $"node '{gather.Name}' (Gather) looks up '{ids}', which is not an INT64 graph input [-1, K]";
            return false;
        }

        var shape = table.Dims.ToArray();
        if (shape.Length is not (1 or 2) || shape.Any(d => d < 1) || shape.Aggregate(1L, (a, d) => a * d) > Array.MaxLength)
        {
            reason = $"the table '{table.Name}' has shape [{string.Join(", ", shape)}]; an embedding bag's is [B] or [B, C]";
            return false;
        }

        if (!TryFloats(table, out var values, out reason) || !TryAxes(reduce, out var axes, out reason))
        {
            return false;
        }

        var rank = shape.Length + 1;
        if (axes.Select(a => a < 0 ? a + rank : a).ToArray() is not [1])
        {
            reason = $"node '{reduce.Name}' (ReduceSum) sums over {(axes.Length == 0 ? "every axis" : $"axes [{string.Join(", ", axes)}]")}; an embedding bag sums over the ids, axes [1]";
            return false;
        }

        var keepDims = reduce.Attribute.FirstOrDefault(a => a.Name == "keepdims")?.I ?? 1;
        if ((keepDims == 0) != (shape.Length == 2))
        {
            reason = shape.Length == 1
                ? $"node '{reduce.Name}' (ReduceSum) has keepdims 0, so over the table '{table.Name}' [{shape[0]}] its result is [N], not [N, 1]"
                : $"node '{reduce.Name}' (ReduceSum) has keepdims {keepDims}, so over the table '{table.Name}' [{shape[0]}, {shape[1]}] its result is [N, 1, {shape[1]}], not [N, {shape[1]}]";
            return false;
        }

        return TryAddTerm(new Term(ids, true, values, (int)shape[0], shape.Length == 1 ? 1 : (int)shape[1], gather, table.Name), out reason);
    }

    /// <summary>ReduceSum's axes: its second input (opset 13 on), an INT64 initializer, or else its <c>axes</c> attribute (none: every axis).</summary>
    private bool TryAxes(NodeProto reduce, out long[] axes, [NotNullWhen(false)] out string? reason)
    {
        axes = [];
        reason = null;
        if (reduce.Input.Count < 2 || reduce.Input[1].Length == 0)
        {
            axes = [.. reduce.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints ?? []];
            return true;
        }

        if (!_initializers.TryGetValue(reduce.Input[1], out var tensor) || tensor.DataType != Int64 || tensor.ExternalData.Count > 0)
        {
            reason = $"node '{reduce.Name}' (ReduceSum) takes its axes from '{reduce.Input[1]}', which is not an INT64 initializer";
            return false;
        }

        axes = tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray() : [.. tensor.Int64Data];
        return true;
    }

    private bool TryAddTerm(Term term, [NotNullWhen(false)] out string? reason)
    {
        reason = _terms.TryAdd(term.Input, term) ? null : $"graph input '{term.Input}' is read by two terms of the head";
        return reason is null;
    }

    private bool TryOutputs(NodeProto? sigmoid, (int Terms, int Biases) whole, out Dictionary<string, LinearStage> outputs, [NotNullWhen(false)] out string? reason)
    {
        outputs = new Dictionary<string, LinearStage>(StringComparer.Ordinal);
        foreach (var output in _graph.Output)
        {
            LinearStage stage;
            if (sigmoid is not null && output.Name == sigmoid.Output[0])
            {
                stage = LinearStage.Sigmoid;
            }
            else if (!_sums.TryGetValue(output.Name, out var part))
            {
                reason = $"graph output '{output.Name}' is not a result of the head's sum or Sigmoid";
                return false;
            }
            else if (part.Terms == whole.Terms && part.Biases == 0)
            {
                stage = LinearStage.Product;
            }
            else if (part == whole)
            {
                stage = LinearStage.Biased;
            }
            else
            {
                reason = $"graph output '{output.Name}' is a part of the head's sum, not all its terms with or without the bias";
                return false;
            }

            outputs.Add(output.Name, stage);
        }

        reason = null;
        return true;
    }

    /// <summary>A term's weights as read, row-major [<paramref name="Rows"/>, <paramref name="Classes"/>].</summary>
    private sealed record Term(string Input, bool IsBag, float[] Weights, int Rows, int Classes, NodeProto Node, string WeightsName);

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

    private bool TryWeights(NodeProto node, bool transposed, out float[] weights, out int features, out int classes, [NotNullWhen(false)] out string? reason)
    {
        weights = [];
        features = classes = 0;
        if (!_initializers.TryGetValue(node.Input[1], out var w))
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

    private bool TryBias(NodeProto node, string name, int classes, out float[] bias, [NotNullWhen(false)] out string? reason)
    {
        bias = [];
        if (!_initializers.TryGetValue(name, out var b))
        {
            reason = $"node '{node.Name}' ({node.OpType}) adds '{name}', which is not an initializer";
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
