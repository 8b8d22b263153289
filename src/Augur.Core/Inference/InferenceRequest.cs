using Augur.Tensors;

namespace Augur.Inference;

/// <summary>One inference request for one model: its inputs and, optionally, which outputs to return.</summary>
public sealed class InferenceRequest
{
    /// <summary>Creates a request for the latest ready version of <paramref name="modelName"/>.</summary>
    public InferenceRequest(string modelName, IReadOnlyList<InferenceTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(inputs);
        ModelName = modelName;
        Inputs = inputs.ToArray();
    }

    /// <summary>The model to run.</summary>
    public string ModelName { get; }

    /// <summary>The version to run; null means the highest ready version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>An identifier chosen by the client, echoed in the response.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// The priority level, 1 being served first (Triton's <c>priority</c> parameter); 0, the default, takes the model's
    /// default level. Must not exceed the model's <c>priority_levels</c>.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// How long the request may wait in the model's queue (Triton's <c>timeout</c> parameter, in microseconds on the
    /// wire). A request still queued when it expires fails with <c>DeadlineExceeded</c> and never runs; one that has
    /// started runs to the end. Null takes the model's <c>default_timeout_microseconds</c>.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The stateful sequence this request is a step of; null for a request that stands alone.</summary>
    public SequenceControl? Sequence { get; init; }

    /// <summary>
    /// The key of a precomputed prediction to answer with (the <c>prediction_key</c> request parameter), for a model whose
    /// config.json declares a precomputed source; null when the request carries none.
    /// </summary>
    public string? PredictionKey { get; init; }

    /// <summary>The input tensors, one per model input (a copy of the list given to the constructor).</summary>
    public IReadOnlyList<InferenceTensor> Inputs { get; }

    /// <summary>The outputs to return, in this order; null returns every output in the model's order.</summary>
    public IReadOnlyList<string>? RequestedOutputs
    {
        get => _requestedOutputs;
        init => _requestedOutputs = value?.ToArray();
    }

    private readonly string[]? _requestedOutputs;

    /// <summary>This request with other inputs and everything else the same (what a stage that adds inputs sends on).</summary>
    public InferenceRequest WithInputs(IReadOnlyList<InferenceTensor> inputs) => Copy(inputs, Sequence, Timeout);

    /// <summary>This request with another queue <see cref="Timeout"/> and everything else the same.</summary>
    public InferenceRequest WithTimeout(TimeSpan? timeout) => Copy(Inputs, Sequence, timeout);

    /// <summary>This request as a step of <paramref name="sequence"/> (or of none), with everything else the same.</summary>
    public InferenceRequest WithSequence(SequenceControl? sequence) => Copy(Inputs, sequence, Timeout);

    private InferenceRequest Copy(IReadOnlyList<InferenceTensor> inputs, SequenceControl? sequence, TimeSpan? timeout) => new(ModelName, inputs)
    {
        ModelVersion = ModelVersion,
        Id = Id,
        Priority = Priority,
        Timeout = timeout,
        Sequence = sequence,
        PredictionKey = PredictionKey,
        RequestedOutputs = RequestedOutputs,
    };

    /// <summary>Finds an input by name.</summary>
    public InferenceTensor? FindInput(string name)
    {
        foreach (var input in Inputs)
        {
            if (input.Name == name)
            {
                return input;
            }
        }

        return null;
    }
}
