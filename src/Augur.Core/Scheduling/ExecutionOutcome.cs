using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.Scheduling;

/// <summary>What a scheduler hands back for one request: every model output (signature order) or an error, and timings.</summary>
internal readonly record struct ExecutionOutcome(IReadOnlyList<InferenceTensor>? Outputs, InferenceError? Error, InferenceTimings Timings)
{
    public static ExecutionOutcome Failed(InferenceError error) => new(null, error, default);
}
