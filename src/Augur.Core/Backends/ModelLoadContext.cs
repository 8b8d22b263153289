using System.Text.Json;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Backends;

/// <summary>What a backend is told when loading one model version.</summary>
/// <param name="ModelName">The model's name (its folder name).</param>
/// <param name="Version">The version number (its folder name).</param>
/// <param name="VersionDirectory">The absolute path of the version folder.</param>
/// <param name="Config">The model's config.json, or <see cref="ModelConfig.Empty"/>.</param>
/// <param name="LoggerFactory">For the backend's own logs.</param>
/// <param name="Time">The clock for compute timings.</param>
public sealed record ModelLoadContext(string ModelName, long Version, string VersionDirectory, ModelConfig Config, ILoggerFactory LoggerFactory, TimeProvider Time)
{
    /// <summary>
    /// The backend's own section of config.json (<c>backend_settings.&lt;name&gt;</c>), for the backend to read into its
    /// typed settings; <see cref="JsonValueKind.Undefined"/> when the model has none.
    /// </summary>
    public JsonElement Settings { get; init; }

    /// <summary>
    /// The backend that runs the model's file: the loading backend's own name, or, for an isolating backend (one that
    /// runs models elsewhere, e.g. in worker processes), the backend its workers load the model with.
    /// </summary>
    public string Backend { get; init; } = string.Empty;

    /// <summary>The engine's meter, for the backend's own instruments (e.g. worker restarts); null outside an engine.</summary>
    public System.Diagnostics.Metrics.Meter? Meter { get; init; }
}
