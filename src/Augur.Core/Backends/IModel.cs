using Augur.Models;

namespace Augur.Backends;

/// <summary>One loaded model version. Disposed after its last instance.</summary>
public interface IModel : IDisposable
{
    /// <summary>The inputs and outputs as the model file declares them (-1 for dynamic dimensions).</summary>
    ModelSignature Signature { get; }

    /// <summary>Creates an execution instance; instances of one model run concurrently on separate threads.</summary>
    IModelInstance CreateInstance(int index);
}
