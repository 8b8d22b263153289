using Augur.Engine;
using Augur.Inference;

namespace Augur.Stages;

/// <summary>One request on its way through a version's pipeline: what stages read and may change.</summary>
internal sealed class RequestContext(InferenceRequest request, LoadedVersion version, long arrival, CancellationToken cancellationToken)
{
    /// <summary>The request as the next stage will see it; a stage that adds inputs replaces it (<see cref="InferenceRequest.WithInputs"/>).</summary>
    public InferenceRequest Request { get; set; } = request;

    /// <summary>The version serving the request (resolved and leased before the pipeline starts).</summary>
    public LoadedVersion Version { get; } = version;

    /// <summary>The engine's timestamp of the request's arrival (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long Arrival { get; } = arrival;

    /// <summary>Cancelled when the caller gives up (a client disconnect).</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;
}
