using Augur.Inference;

namespace Augur.Backends;

/// <summary>
/// One execution context of a model. An instance runs one batch at a time; the engine never calls
/// <see cref="ExecuteAsync"/> concurrently on the same instance.
/// </summary>
public interface IModelInstance : IDisposable
{
    /// <summary>
    /// Runs a batch of validated requests together. The requests' inputs agree with the model's signature;
    /// when the model batches, each request carries its own batch dimension and the backend concatenates them.
    /// Returns, for each request in order, every model output in signature order, or an error for the whole batch.
    /// </summary>
    ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken);
}
