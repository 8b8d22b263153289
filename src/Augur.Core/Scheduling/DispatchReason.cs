namespace Augur.Scheduling;

/// <summary>Why the dynamic batcher sent a batch to an instance; a tag on the batch metrics and debug logs.</summary>
internal enum DispatchReason
{
    /// <summary>The batch reached the size limit (the max batch size, or the adaptive limit).</summary>
    Full,
    /// <summary>The queued samples formed one of the model's preferred batch sizes.</summary>
    Preferred,
    /// <summary>The oldest request waited the model's max queue delay.</summary>
    Delay,
    /// <summary>A request's deadline (its timeout or the latency objective) left no more time to wait for peers.</summary>
    Deadline,
    /// <summary>An instance was free and the model does not wait for peers (max queue delay 0).</summary>
    Immediate,
    /// <summary>An instance was free and the engine stopped waiting for peers, since shutdown began.</summary>
    Shutdown,
    /// <summary>The queued samples reached the batch size the model's learned cost curve makes worth waiting for (<see cref="AutoBatchWait"/>).</summary>
    Target,
    /// <summary>The oldest request waited as long as the learned cost curve allows for peers (<see cref="AutoBatchWait"/>).</summary>
    Waited,
}

internal static class DispatchReasons
{
    public static string ToTag(this DispatchReason reason) => reason switch
    {
        DispatchReason.Full => "full",
        DispatchReason.Preferred => "preferred",
        DispatchReason.Delay => "delay",
        DispatchReason.Deadline => "deadline",
        DispatchReason.Shutdown => "shutdown",
        DispatchReason.Target => "target",
        DispatchReason.Waited => "waited",
        _ => "immediate",
    };
}
