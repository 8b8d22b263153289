using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.Scheduling;

/// <summary>
/// What a scheduler (or a request stage) hands back for one request: the outputs or an error, and timings. From the
/// scheduler the outputs are every model output in signature order; a stage that answers may hold a subset (those the
/// request asked for), which the engine then picks from by name.
/// </summary>
internal readonly record struct ExecutionOutcome(IReadOnlyList<InferenceTensor>? Outputs, InferenceError? Error, InferenceTimings Timings)
{
    /// <summary>Who answered (<see cref="PredictionSources"/>); null when the model ran.</summary>
    public string? Source { get; init; }

    public static ExecutionOutcome Failed(InferenceError error) => new(null, error, default);
}
