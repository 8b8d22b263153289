namespace Augur.Backends;

/// <summary>Whether a model instance can run batches, and if not, why (e.g. <c>worker exited with signal 9; restarting</c>).</summary>
/// <param name="IsReady">True when batches can run.</param>
/// <param name="Reason">Why not; null when ready.</param>
public readonly record struct InstanceHealth(bool IsReady, string? Reason)
{
    /// <summary>An instance that runs batches.</summary>
    public static InstanceHealth Ready { get; } = new(true, null);

    /// <summary>An instance that cannot run batches for <paramref name="reason"/>.</summary>
    public static InstanceHealth Down(string reason) => new(false, reason);
}
