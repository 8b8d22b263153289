using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// An ONNX step run as a sparse linear head (design note 0017): the featurizer steps that make its input run sparse
/// (<see cref="Featurization"/>), then <see cref="Head"/> in C#; no ONNX Runtime session.
/// </summary>
internal sealed record SparseLinearStep(OnnxStep Step, LinearHead Head, SparseFeaturization Featurization)
{
    /// <summary>E.g. <c>sparse linear head (65536 × 1 weights, in C#)</c>, for the plan.</summary>
    public string Runs => $"sparse linear head ({Head.Features} × {Head.Classes} weights, in C#)";

    /// <summary>The step's mapped outputs as pipeline tensors, each FP32 [B, C], for <paramref name="rows"/>.</summary>
    public IEnumerable<InferenceTensor> Outputs(SparseRows rows)
    {
        var stages = Step.Outputs.Select(o => Head.Outputs[o.Graph]).Distinct().ToArray();
        var results = Head.Apply(rows, stages);
        return Step.Outputs.Select(o => InferenceTensor.Create(o.Tensor, results[Head.Outputs[o.Graph]], rows.Rows, Head.Classes));
    }

    /// <summary>
    /// The ONNX step <paramref name="step"/> of <paramref name="plan"/> as a sparse linear head, or why it is not one:
    /// its graph (in <paramref name="versionDirectory"/>) must be a linear head, and its input made by featurizers that
    /// can run sparse, read by nothing else and not a pipeline output.
    /// </summary>
    public static bool TryCreate(PipelinePlan plan, OnnxStep step, string versionDirectory, [NotNullWhen(true)] out SparseLinearStep? sparse, [NotNullWhen(false)] out string? reason)
    {
        sparse = null;
        if (!OnnxModelFile.TryParse(File.ReadAllBytes(Path.Combine(versionDirectory, step.File)), out var model, out reason, step.File)
            || !LinearHead.TryRecognize(model, out var head, out reason))
        {
            return false;
        }

        if (!SparseFeaturization.TryCreate(plan, step.Inputs[0].Tensor, out var featurization, out reason))
        {
            return false;
        }

        if (featurization.Width != head.Features)
        {
            reason = $"tensor '{step.Inputs[0].Tensor}' has {featurization.Width} columns but the weights {head.Features} rows";
            return false;
        }

        sparse = new SparseLinearStep(step, head, featurization);
        return true;
    }
}
