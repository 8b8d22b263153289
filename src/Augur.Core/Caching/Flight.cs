using Augur.Scheduling;

namespace Augur.Caching;

/// <summary>
/// One model run that identical concurrent misses share: the first (the leader) runs it, the others wait for its
/// outcome. The key material tells a true duplicate from a request whose hash merely collides.
/// </summary>
internal sealed class Flight(byte[] material)
{
    public byte[] Material { get; } = material;

    public TaskCompletionSource<ExecutionOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
