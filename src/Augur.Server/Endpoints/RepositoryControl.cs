using System.Globalization;
using Augur.Errors;
using Augur.Models;

namespace Augur.Server.Endpoints;

/// <summary>
/// The rules of Triton's model repository extension that REST (<see cref="RepositoryEndpoints"/>) and gRPC
/// (<c>InferenceGrpcService</c>) share: which load and unload parameters are accepted, how a model name is checked
/// before the engine is asked, and how an index row is spelled. The mode rules (load and unload in explicit mode only)
/// are the engine's own.
/// </summary>
internal static class RepositoryControl
{
    /// <summary>The index state of a ready row.</summary>
    public const string Ready = "READY";

    /// <summary>The index state of any other row.</summary>
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>
    /// Null when a load (<paramref name="load"/> true) or unload accepts parameter <paramref name="name"/>; otherwise why
    /// not. Nothing that carries a config or files (<c>config</c>, <c>file:...</c>) is ever accepted; an unload accepts
    /// <c>unload_dependents</c> (Augur models have no dependents, so its value changes nothing).
    /// </summary>
    public static string? CheckParameter(string name, bool load)
    {
        if (name == "config" || name.StartsWith("file:", StringComparison.Ordinal))
        {
            return $"parameter '{name}' is not supported: Augur loads models only from their repository folder, never from a config or files sent by a client";
        }

        return load || name != "unload_dependents" ? $"unknown parameter '{name}'" : null;
    }

    /// <summary>
    /// Checks the name, then loads or unloads <paramref name="model"/> through the engine. Null on success; otherwise the
    /// error: an invalid name or mode (InvalidArgument), no such model folder (NotFound), or why the load failed.
    /// </summary>
    public static Task<InferenceError?> ApplyAsync(InferenceEngine engine, string model, bool load, CancellationToken cancellationToken)
    {
        if (MetadataEndpoints.CheckName(model) is { } invalid)
        {
            return Task.FromResult<InferenceError?>(invalid);
        }

        return load ? engine.LoadModelAsync(model, cancellationToken) : engine.UnloadModelAsync(model, cancellationToken);
    }

    /// <summary>The engine's index, only the ready rows when <paramref name="readyOnly"/>.</summary>
    public static RepositoryIndexEntry[] Index(InferenceEngine engine, bool readyOnly) =>
        engine.RepositoryIndex().Where(row => !readyOnly || row.State == ModelState.Ready).ToArray();

    /// <summary>READY or UNAVAILABLE.</summary>
    public static string StateOf(RepositoryIndexEntry row) => row.State == ModelState.Ready ? Ready : Unavailable;

    /// <summary>The version as the index spells it; null for a row about the whole model.</summary>
    public static string? VersionOf(RepositoryIndexEntry row) => row.Version?.ToString(CultureInfo.InvariantCulture);
}
