namespace Augur.Workers.Client;

/// <summary>A worker's answer to a health check.</summary>
/// <param name="IsReady">True when the worker can run batches.</param>
/// <param name="Reason">Why not, when <paramref name="IsReady"/> is false: the worker's own reason, or why it could not be reached.</param>
public readonly record struct WorkerHealth(bool IsReady, string? Reason);
