using Augur.Tensors;

namespace Augur.Inference;

/// <summary>The outputs of one inference, with the model version that produced them.</summary>
public sealed class InferenceResponse
{
    /// <summary>Creates a response.</summary>
    public InferenceResponse(string modelName, string modelVersion, string? id, IReadOnlyList<InferenceTensor> outputs, InferenceTimings timings)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Outputs = outputs;
        Timings = timings;
    }

    /// <summary>The model that ran.</summary>
    public string ModelName { get; }

    /// <summary>The version that ran.</summary>
    public string ModelVersion { get; }

    /// <summary>The request's identifier, echoed.</summary>
    public string? Id { get; }

    /// <summary>The outputs, in the requested order (or the model's order when none were requested).</summary>
    public IReadOnlyList<InferenceTensor> Outputs { get; }

    /// <summary>Where the time went.</summary>
    public InferenceTimings Timings { get; }

    /// <summary>
    /// Where the answer came from (<see cref="PredictionSources"/>: <c>model</c>, <c>cache</c>, <c>precomputed</c>), for
    /// models that can answer without running; null for the others, which always run. Sent as the response parameter
    /// <c>prediction_source</c>.
    /// </summary>
    public string? PredictionSource { get; init; }

    /// <summary>The output named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public InferenceTensor this[string name] =>
        Outputs.FirstOrDefault(o => o.Name == name) ?? throw new KeyNotFoundException($"The response has no output '{name}'.");
}
