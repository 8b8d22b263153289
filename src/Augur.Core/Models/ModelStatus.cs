namespace Augur.Models;

/// <summary>A model's state as the repository index reports it.</summary>
/// <param name="Name">The model name.</param>
/// <param name="State">Ready when at least one version is ready.</param>
/// <param name="Reason">Why the model is unavailable; null when ready.</param>
/// <param name="Versions">Each version the policy selected, highest first.</param>
public sealed record ModelStatus(string Name, ModelState State, string? Reason, IReadOnlyList<ModelVersionStatus> Versions);

/// <summary>One version's state.</summary>
/// <param name="Version">The version number.</param>
/// <param name="State">Its state.</param>
/// <param name="Reason">Why it is unavailable; null when ready.</param>
public sealed record ModelVersionStatus(long Version, ModelState State, string? Reason);
