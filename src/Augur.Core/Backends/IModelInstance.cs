using Augur.Inference;

namespace Augur.Backends;

/// <summary>
/// One execution context of a model. An instance runs one batch at a time; the engine never calls
/// <see cref="ExecuteAsync"/> concurrently on the same instance, and disposes it only when no batch runs on it.
/// </summary>
public interface IModelInstance : IAsyncDisposable
{
    /// <summary>
    /// Whether the instance can run batches now. An instance backed by something that can die (a worker process)
    /// reports it here; a version is ready while one of its instances is, and the scheduler prefers ready instances.
    /// </summary>
    InstanceHealth Health => InstanceHealth.Ready;

    /// <summary>
    /// Runs a batch of validated requests together. The requests' inputs agree with the model's signature;
    /// when the model batches, each request carries its own batch dimension and the backend concatenates them.
    /// Returns, for each request in order, every model output in signature order, or an error for the whole batch.
    /// </summary>
    ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken);
}
