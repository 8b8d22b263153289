using Augur.Diagnostics;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Stages;

/// <summary>What a stage factory knows of the version it makes a stage for.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Version">The version number.</param>
/// <param name="Fingerprint">Identifies the files the version was loaded from: a reload of changed files under the same number differs.</param>
/// <param name="Signature">The signature clients send and receive (without engine-fed sequence inputs).</param>
/// <param name="MaxBatchSize">The version's max batch size; 0 when it does not batch.</param>
/// <param name="Config">The model's config.json.</param>
/// <param name="Time">The engine's clock.</param>
/// <param name="Metrics">The engine's metrics.</param>
/// <param name="LoggerFactory">The engine's logger factory.</param>
internal sealed record StageSite(string Model, long Version, string Fingerprint, ModelSignature Signature, int MaxBatchSize, ModelConfig Config, TimeProvider Time, EngineMetrics Metrics, ILoggerFactory LoggerFactory)
{
    /// <summary>The version number as text, as responses and metrics spell it.</summary>
    public string VersionText { get; } = Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The model's folder (where its config.json is), for settings that name files; null when not loaded from a folder.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>True when the model keeps state across requests (config.json <c>sequence_batching</c>).</summary>
    public bool IsSequenceModel => Config.SequenceBatching is not null;
}
