using Augur.Errors;
using Augur.Tensors;

namespace Augur.Backends;

/// <summary>What a backend returns for a batch: each request's outputs and the batch's compute timings, or one error.</summary>
public sealed class BatchResult
{
    private BatchResult(IReadOnlyList<IReadOnlyList<InferenceTensor>>? outputs, InferenceError? error, BatchTimings timings)
    {
        Outputs = outputs;
        Error = error;
        Timings = timings;
    }

    /// <summary>Per request (in batch order), every model output in signature order; null when the batch failed.</summary>
    public IReadOnlyList<IReadOnlyList<InferenceTensor>>? Outputs { get; }

    /// <summary>Why the batch failed; every request in it fails with this error.</summary>
    public InferenceError? Error { get; }

    /// <summary>Time spent preparing inputs, running and copying outputs.</summary>
    public BatchTimings Timings { get; }

    /// <summary>A successful batch.</summary>
    public static BatchResult Success(IReadOnlyList<IReadOnlyList<InferenceTensor>> outputs, BatchTimings timings) => new(outputs, null, timings);

    /// <summary>A failed batch.</summary>
    public static BatchResult Failure(InferenceError error) => new(null, error, default);
}
