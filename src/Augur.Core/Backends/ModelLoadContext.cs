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
public sealed record ModelLoadContext(string ModelName, long Version, string VersionDirectory, ModelConfig Config, ILoggerFactory LoggerFactory, TimeProvider Time);
