namespace Augur.Server.Security;

/// <summary>
/// Endpoint metadata naming the <see cref="AccessOperation"/> a route performs. Routes without it count as
/// <see cref="AccessOperation.Inference"/>, so a new endpoint is protected by default.
/// </summary>
/// <param name="Operation">The operation.</param>
public sealed record AccessRequirement(AccessOperation Operation)
{
    /// <summary>Health probes: no key needed.</summary>
    public static AccessRequirement Health { get; } = new(AccessOperation.Health);

    /// <summary>Statistics (metrics).</summary>
    public static AccessRequirement Statistics { get; } = new(AccessOperation.Statistics);

    /// <summary>Model control.</summary>
    public static AccessRequirement Administration { get; } = new(AccessOperation.Administration);
}
