using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// An ONNX step run as a sparse linear head (design note 0017): the featurizer steps that make its inputs run sparse
/// (<see cref="Featurization"/>), then <see cref="Head"/> in C#; no ONNX Runtime session. An embedding bag's ids arrive
/// as counts as wide as their featurizer's buckets; they are placed at the bag's rows of the head's weights, and an id
/// beyond the table's rows is the request's problem, as it is ONNX Runtime's Gather's.
/// </summary>
internal sealed class SparseLinearStep
{
    // Null when the featurization's columns are the head's weights' rows as they are.
    private readonly Section[]? _sections;

    private SparseLinearStep(OnnxStep step, LinearHead head, SparseFeaturization featurization, Section[] sections)
    {
        Step = step;
        Head = head;
        Featurization = featurization;
        _sections = sections.Any(s => s.From != s.Term.Offset || s.Width > s.Term.Rows) ? sections : null;
    }

    /// <summary>The ONNX step replaced.</summary>
    public OnnxStep Step { get; }

    /// <summary>The step's graph as a linear head.</summary>
    public LinearHead Head { get; }

    /// <summary>The featurizers that make the head's inputs, as sparse rows side by side in the head's order.</summary>
    public SparseFeaturization Featurization { get; }

    /// <summary>
    /// For the plan, e.g. <c>sparse linear head (65536 × 1 weights, in C#)</c>, or with several inputs or an embedding
    /// bag <c>sparse linear head (24 × 1 weights for 'dense', a 16384 × 1 embedding bag for 'identifiers', in C#)</c>.
    /// </summary>
    public string Runs => Head.Terms is [{ IsBag: false } only]
        ? $"sparse linear head ({only.Rows} × {Head.Classes} weights, in C#)"
        : $"sparse linear head ({string.Join(", ", Head.Terms.Select(t => t.IsBag ? $"a {t.Rows} × {Head.Classes} embedding bag for '{t.Input}'" : $"{t.Rows} × {Head.Classes} weights for '{t.Input}'"))}, in C#)";

    /// <summary>
    /// The step's mapped outputs as pipeline tensors, each FP32 [B, C], for <paramref name="rows"/> (the featurization's),
    /// or the problem, naming the graph input: an id beyond its embedding bag's table.
    /// </summary>
    public bool TryOutputs(SparseRows rows, [NotNullWhen(true)] out IReadOnlyList<InferenceTensor>? outputs, [NotNullWhen(false)] out string? problem)
    {
        outputs = null;
        if (_sections is not null && !TryPlace(rows, _sections, out rows!, out problem))
        {
            return false;
        }

        var stages = Step.Outputs.Select(o => Head.Outputs[o.Graph]).Distinct().ToArray();
        var results = Head.Apply(rows, stages);
        var count = rows.Rows;
        outputs = Step.Outputs.Select(o => InferenceTensor.Create(o.Tensor, results[Head.Outputs[o.Graph]], count, Head.Classes)).ToArray();
        problem = null;
        return true;
    }

    /// <summary>Moves each entry from its input's columns in the featurization to its term's rows of the weights, checking bag ids against the table.</summary>
    private bool TryPlace(SparseRows rows, Section[] sections, [NotNullWhen(true)] out SparseRows? placed, [NotNullWhen(false)] out string? problem)
    {
        placed = null;
        var indices = new int[rows.Indices.Length];
        for (var row = 0; row < rows.Rows; row++)
        {
            var s = 0;
            for (var k = rows.RowStarts[row]; k < rows.RowStarts[row + 1]; k++)
            {
                var index = rows.Indices[k];
                while (index >= sections[s].From + sections[s].Width)
                {
                    s++;
                }

                var (from, _, term) = sections[s];
                var local = index - from;
                if (local >= term.Rows)
                {
                    problem = $"input '{term.Input}' row {row} holds id {local}, outside [0, {term.Rows}), the rows of the table '{term.Initializer}' that node '{term.Node}' gathers from";
                    return false;
                }

                indices[k] = term.Offset + local;
            }
        }

        placed = new SparseRows(Head.Features, rows.RowStarts, indices, rows.Values);
        problem = null;
        return true;
    }

    /// <summary>
    /// The ONNX step <paramref name="step"/> of <paramref name="plan"/> as a sparse linear head, or why it is not one:
    /// its graph (in <paramref name="versionDirectory"/>) must be a linear head, and each of its inputs made by
    /// featurizers that can run sparse (an embedding bag's ids by one that gives them as counts), read by nothing else
    /// and not a pipeline output.
    /// </summary>
    public static bool TryCreate(PipelinePlan plan, OnnxStep step, string versionDirectory, [NotNullWhen(true)] out SparseLinearStep? sparse, [NotNullWhen(false)] out string? reason)
    {
        sparse = null;
        if (!OnnxModelFile.TryParse(File.ReadAllBytes(Path.Combine(versionDirectory, step.File)), out var model, out reason, step.File)
            || !LinearHead.TryRecognize(model, out var head, out reason))
        {
            return false;
        }

        var tensors = new string[head.Terms.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            var mapped = step.Inputs.FirstOrDefault(m => m.Graph == head.Terms[i].Input);
            if (mapped.Tensor is null)
            {
                reason = $"graph input '{head.Terms[i].Input}' is not mapped to a pipeline tensor";
                return false;
            }

            tensors[i] = mapped.Tensor;
        }

        if (!SparseFeaturization.TryCreate(plan, tensors.Select((t, i) => (t, head.Terms[i].IsBag)).ToArray(), out var featurization, out reason))
        {
            return false;
        }

        var sections = new Section[tensors.Length];
        var from = 0;
        for (var i = 0; i < sections.Length; i++)
        {
            var (term, width) = (head.Terms[i], featurization.Widths[i]);
            if (!term.IsBag && width != term.Rows)
            {
                reason = $"tensor '{tensors[i]}' has {width} columns but the weights {term.Rows} rows";
                return false;
            }

            sections[i] = new Section(from, width, term);
            from += width;
        }

        sparse = new SparseLinearStep(step, head, featurization, sections);
        return true;
    }

    /// <summary>A head input's columns in the featurization's rows, [From, From + Width), and its term.</summary>
    private readonly record struct Section(int From, int Width, LinearTerm Term);
}
