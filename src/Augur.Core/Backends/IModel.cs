using Augur.Models;

namespace Augur.Backends;

/// <summary>One loaded model version. Disposed after its last instance.</summary>
public interface IModel : IAsyncDisposable
{
    /// <summary>The inputs and outputs as the model file declares them (-1 for dynamic dimensions).</summary>
    ModelSignature Signature { get; }

    /// <summary>
    /// Creates an execution instance (a session, a worker process); instances of one model run concurrently. Throw with
    /// a message that says why the instance could not be created: the version then fails to load with it.
    /// </summary>
    ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken);
}
