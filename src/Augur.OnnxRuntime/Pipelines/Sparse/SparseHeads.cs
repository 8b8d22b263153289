namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// Which ONNX steps of a pipeline run as sparse linear heads (design note 0017), and why each other ONNX step does not,
/// for the plan and the log.
/// </summary>
internal sealed class SparseHeads
{
    private readonly Dictionary<string, SparseLinearStep> _byFeaturizer;

    private SparseHeads(IReadOnlyDictionary<string, SparseLinearStep> steps, IReadOnlyDictionary<string, string> notSparse)
    {
        Steps = steps;
        NotSparse = notSparse;
        _byFeaturizer = steps.Values.SelectMany(h => h.Featurization.Steps.Select(f => (f.Name, h))).ToDictionary(p => p.Name, p => p.h, StringComparer.Ordinal);
    }

    /// <summary>Sparse heads off: every ONNX step in its session.</summary>
    public static SparseHeads None { get; } = new(new Dictionary<string, SparseLinearStep>(), new Dictionary<string, string>());

    /// <summary>The sparse heads by their ONNX step's name.</summary>
    public IReadOnlyDictionary<string, SparseLinearStep> Steps { get; }

    /// <summary>Every other ONNX step's name and why it is not a sparse linear head.</summary>
    public IReadOnlyDictionary<string, string> NotSparse { get; }

    /// <summary>The head a featurizer step runs sparse into, or null when it runs where it stands.</summary>
    public SparseLinearStep? HeadOf(string featurizerStep) => _byFeaturizer.GetValueOrDefault(featurizerStep);

    /// <summary>Looks at every ONNX step of <paramref name="plan"/>; a featurizer step makes at most one head's input.</summary>
    public static SparseHeads Create(PipelinePlan plan, string versionDirectory)
    {
        var steps = new Dictionary<string, SparseLinearStep>(StringComparer.Ordinal);
        var notSparse = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in plan.Order.OfType<OnnxStep>())
        {
            if (SparseLinearStep.TryCreate(plan, step, versionDirectory, out var head, out var reason))
            {
                steps.Add(step.Name, head);
            }
            else
            {
                notSparse.Add(step.Name, reason);
            }
        }

        return new SparseHeads(steps, notSparse);
    }
}
