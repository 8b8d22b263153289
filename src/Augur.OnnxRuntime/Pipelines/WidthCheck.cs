using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Pipelines.Featurizers;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// A featurizer that needs a fixed number of columns (<c>scale</c>: N, <c>one_hot</c> and <c>text_ngrams</c>: 1) reading a
/// pipeline input whose width is dynamic: the step-by-step featurizer refuses a request of another width with a 400
/// naming the step, and a fused pipeline checks the same before its graph runs, with the same message.
/// </summary>
internal sealed record WidthCheck(string Input, FeaturizerStep Step, long Columns)
{
    /// <summary>The columns <paramref name="featurizer"/> reads, or null when any width will do.</summary>
    public static long? ColumnsOf(IFeaturizer featurizer) => featurizer switch
    {
        ScaleFeaturizer scale => scale.Columns,
        OneHotFeaturizer or TextNgramsFeaturizer => 1,
        _ => null,
    };

    /// <summary>Every check the plan's featurizers need on its inputs.</summary>
    public static WidthCheck[] Of(PipelinePlan plan) =>
        plan.Order.OfType<FeaturizerStep>()
            .Select(step => (Step: step, Input: plan.Tensors[step.Inputs[0]], Columns: ColumnsOf(step.Featurizer)))
            .Where(c => c.Columns is not null && c.Input.Producer == PipelineTensor.PipelineInput && c.Input.Shape[1] == -1)
            .Select(c => new WidthCheck(c.Input.Name, c.Step, c.Columns!.Value))
            .ToArray();

    public static InferenceError? Check(string model, IReadOnlyList<WidthCheck> checks, IReadOnlyList<InferenceRequest> batch)
    {
        foreach (var check in checks)
        {
            foreach (var request in batch)
            {
                if (FeaturizerInputs.Columns(check.Step.Featurizer.Kind, request.FindInput(check.Input)!, check.Columns) is { } problem)
                {
                    return InferenceError.Invalid($"model '{model}': {check.Step.Describe()}: {problem}");
                }
            }
        }

        return null;
    }
}
