using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// The featurizer steps that make a sparse linear head's inputs, run as one function of dense inputs into sparse rows
/// (design note 0017): per head input, a featurizer that can run sparse over dense tensors, or a <c>concat</c> of such
/// parts and of dense FP32 tensors (every column an entry), or, for an embedding bag's ids, a featurizer that gives its
/// bucket ids as counts (<see cref="IBucketCountsFeaturizer"/>); several inputs side by side, in the head's order. As an
/// <see cref="IFeaturizer"/> its output is the rows' packed BYTES [B, 1] form
/// (<see cref="SparseRows.ToTensor"/>), so a <see cref="SharedStep"/> joins and splits it across pipelines as any other.
/// A problem names the step that had it, as the dense run does.
/// </summary>
internal sealed class SparseFeaturization : IFeaturizer
{
    private readonly Node _root;

    private SparseFeaturization(Node root, IReadOnlyList<string> leaves, IReadOnlyList<FeaturizerStep> steps, IReadOnlyList<int> widths)
    {
        _root = root;
        Leaves = leaves;
        Steps = steps;
        Widths = widths;
        Width = widths.Sum();
        Description = Describe(root);
    }

    /// <summary>The dense tensors read, in the order <see cref="TryRunSparse"/> takes them.</summary>
    public IReadOnlyList<string> Leaves { get; }

    /// <summary>The featurizer steps run sparse instead of dense, in execution order.</summary>
    public IReadOnlyList<FeaturizerStep> Steps { get; }

    /// <summary>The columns of the rows made: the sum of <see cref="Widths"/>.</summary>
    public int Width { get; }

    /// <summary>The columns each head input takes, in order (a bag's ids as counts: the featurizer's buckets).</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>E.g. <c>concat(scale {...}(#0), one_hot {...}(#1))</c>: the function of the leaves, for the fingerprint and the plan.</summary>
    public string Description { get; }

    /// <summary><c>sparse rows</c>: the shared step's description is this and <see cref="Description"/>.</summary>
    public string Kind => "sparse rows";

    /// <summary>
    /// The featurization of <paramref name="inputs"/>, a head's input tensors in order (each FP32 features, or ids for an
    /// embedding bag), or why it has none: each tensor's producer must be a featurizer that can run sparse (or a
    /// <c>concat</c>; for ids, one that gives its buckets as counts), and the tensor read once, by the head, and not be a
    /// pipeline output. Inside a <c>concat</c>, a part that cannot run sparse is read densely.
    /// </summary>
    public static bool TryCreate(PipelinePlan plan, IReadOnlyList<(string Tensor, bool Ids)> inputs, [NotNullWhen(true)] out SparseFeaturization? featurization, [NotNullWhen(false)] out string? reason)
    {
        featurization = null;
        var reads = plan.Order.SelectMany(s => s.Reads).Concat(plan.Signature.Outputs.Select(o => o.Name)).GroupBy(t => t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var producers = plan.Order.OfType<FeaturizerStep>().ToDictionary(s => s.Output, StringComparer.Ordinal);
        var leaves = new List<string>();
        var steps = new List<FeaturizerStep>();
        var parts = new Node[inputs.Count];
        var widths = new int[inputs.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var (tensor, ids) = inputs[i];
            if (!(ids ? TryCount(tensor, out parts[i]!, out reason) : TryBuild(tensor, out parts[i]!, out reason)))
            {
                return false;
            }

            var width = parts[i] is Counts counts ? counts.Featurizer.Buckets : plan.Tensors[tensor].Shape[1];
            if (width < 1 || width > int.MaxValue)
            {
                reason = $"tensor '{tensor}' has no fixed width";
                return false;
            }

            widths[i] = (int)width;
        }

        if (widths.Sum(w => (long)w) > int.MaxValue)
        {
            reason = $"the head's inputs side by side have {widths.Sum(w => (long)w)} columns, more than sparse rows index";
            return false;
        }

        var root = parts.Length == 1 ? parts[0] : new Inputs(parts);
        featurization = new SparseFeaturization(root, leaves, steps.OrderBy(s => IndexOf(plan.Order, s)).ToArray(), widths);
        reason = null;
        return true;

        bool TryBuild(string name, [NotNullWhen(true)] out Node? node, [NotNullWhen(false)] out string? why)
        {
            node = null;
            if (!TryProducer(name, out var step, out why))
            {
                return false;
            }

            if (step.Featurizer is ConcatFeaturizer)
            {
                var parts = new Node[step.Inputs.Count];
                for (var i = 0; i < parts.Length; i++)
                {
                    parts[i] = TryBuild(step.Inputs[i], out var part, out _) ? part : new Leaf(LeafIndex(step.Inputs[i]), step.Inputs[i]);
                }

                steps.Add(step);
                node = new Concat(step, parts);
                why = null;
                return true;
            }

            if (step.Featurizer is not ISparseFeaturizer sparse)
            {
                why = $"tensor '{name}' is made by {step.Describe()}, whose output is not FP32 features it can give as sparse rows";
                return false;
            }

            steps.Add(step);
            node = new Featurize(step, sparse, step.Inputs.Select(LeafIndex).ToArray());
            why = null;
            return true;
        }

        bool TryCount(string name, [NotNullWhen(true)] out Node? node, [NotNullWhen(false)] out string? why)
        {
            node = null;
            if (!TryProducer(name, out var step, out why))
            {
                return false;
            }

            if (step.Featurizer is not IBucketCountsFeaturizer buckets)
            {
                why = $"tensor '{name}' is made by {step.Describe()}, whose output is not bucket ids it can give as counts";
                return false;
            }

            steps.Add(step);
            node = new Counts(step, buckets, step.Inputs.Select(LeafIndex).ToArray());
            return true;
        }

        bool TryProducer(string name, [NotNullWhen(true)] out FeaturizerStep? step, [NotNullWhen(false)] out string? why)
        {
            if (!producers.TryGetValue(name, out step))
            {
                why = plan.Tensors[name].Producer == PipelineTensor.PipelineInput
                    ? $"tensor '{name}' is a pipeline input, not a featurizer's output"
                    : $"tensor '{name}' is made by an ONNX step, not a featurizer";
                return false;
            }

            why = plan.Signature.Outputs.Any(o => o.Name == name) ? $"tensor '{name}' is a pipeline output, so it is made dense"
                : reads[name] > 1 ? $"tensor '{name}' is read by other steps too, so it is made dense"
                : null;
            return why is null;
        }

        int LeafIndex(string name)
        {
            var index = leaves.IndexOf(name);
            if (index < 0)
            {
                leaves.Add(name);
                index = leaves.Count - 1;
            }

            return index;
        }
    }

    private static int IndexOf(IReadOnlyList<PipelineStep> order, PipelineStep step)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (ReferenceEquals(order[i], step))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The rows for the dense <paramref name="leaves"/> (in <see cref="Leaves"/>' order), or the problem, naming its step.</summary>
    public bool TryRunSparse(IReadOnlyList<InferenceTensor> leaves, [NotNullWhen(true)] out SparseRows? rows, [NotNullWhen(false)] out string? problem) =>
        TryRun(_root, leaves, out rows, out problem);

    private static bool TryRun(Node node, IReadOnlyList<InferenceTensor> leaves, [NotNullWhen(true)] out SparseRows? rows, [NotNullWhen(false)] out string? problem)
    {
        switch (node)
        {
            case Leaf leaf:
                rows = SparseRows.FromDense(leaves[leaf.Index]);
                problem = null;
                return true;
            case Featurize featurize:
                if (featurize.Featurizer.TryRunSparse(featurize.Inputs.Select(i => leaves[i]).ToArray(), out rows, out problem))
                {
                    return true;
                }

                problem = $"{featurize.Step.Describe()}: {problem}";
                return false;
            case Counts counts:
                if (counts.Featurizer.TryRunCounts(counts.Inputs.Select(i => leaves[i]).ToArray(), out rows, out problem))
                {
                    return true;
                }

                problem = $"{counts.Step.Describe()}: {problem}";
                return false;
            case Concat or Inputs:
                var children = node is Concat concat ? concat.Parts : ((Inputs)node).Parts;
                var parts = new SparseRows[children.Length];
                for (var i = 0; i < parts.Length; i++)
                {
                    if (!TryRun(children[i], leaves, out var part, out problem))
                    {
                        rows = null;
                        return false;
                    }

                    parts[i] = part;
                }

                rows = SparseRows.Concat(parts);
                problem = null;
                return true;
            default:
                throw new InvalidOperationException($"unknown node {node.GetType().Name}");
        }
    }

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Bytes;
        shape = [-1, 1];
        problem = null;
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        result = TryRunSparse(inputs, out var rows, out problem) ? rows.ToTensor(output) : null;
        return result is not null;
    }

    private static string Describe(Node node) => node switch
    {
        Leaf leaf => $"#{leaf.Index}",
        Featurize f => $"{f.Step.Featurizer.Kind} {f.Step.Settings}({string.Join(", ", f.Inputs.Select(i => $"#{i}"))})",
        Counts c => $"counts of {c.Step.Featurizer.Kind} {c.Step.Settings}({string.Join(", ", c.Inputs.Select(i => $"#{i}"))})",
        Concat c => $"concat({string.Join(", ", c.Parts.Select(Describe))})",
        Inputs i => $"inputs({string.Join(", ", i.Parts.Select(Describe))})",
        _ => node.GetType().Name,
    };

    private abstract record Node;

    private sealed record Leaf(int Index, string Tensor) : Node;

    private sealed record Featurize(FeaturizerStep Step, ISparseFeaturizer Featurizer, int[] Inputs) : Node;

    private sealed record Concat(FeaturizerStep Step, Node[] Parts) : Node;

    /// <summary>An embedding bag's ids, as counts.</summary>
    private sealed record Counts(FeaturizerStep Step, IBucketCountsFeaturizer Featurizer, int[] Inputs) : Node;

    /// <summary>A head's several inputs side by side, in its order.</summary>
    private sealed record Inputs(Node[] Parts) : Node;
}
