namespace Augur.Models;

/// <summary>One row of the repository index (Triton's <c>POST /v2/repository/index</c>): a model, or one of its versions.</summary>
/// <param name="Name">The model name (its folder name).</param>
/// <param name="Version">The version, or null for a row about the whole model (not loaded, or failed before any version).</param>
/// <param name="State">READY, UNAVAILABLE or, for a folder never loaded or unloaded, UNAVAILABLE with reason "unloaded".</param>
/// <param name="Reason">Why the model or version is not ready, or why its last reload failed while it keeps serving; empty otherwise.</param>
public sealed record RepositoryIndexEntry(string Name, long? Version, ModelState State, string Reason);
