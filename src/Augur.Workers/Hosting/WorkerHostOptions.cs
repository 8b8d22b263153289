using Augur.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Hosting;

/// <summary>What a <see cref="WorkerHost"/> loads and where it listens.</summary>
public sealed record WorkerHostOptions
{
    /// <summary>The model version folder (e.g. <c>models/fraud/1</c>) the backend loads.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>The model's name, as the engine knows it; it names the model in errors and logs.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version number.</summary>
    public required long Version { get; init; }

    /// <summary>Where to listen. A Unix socket's path must not exist yet (its folder must); a TCP port 0 picks a free port.</summary>
    public required WorkerEndpoint Endpoint { get; init; }

    /// <summary>The model's config.json (the backend reads its parameters). Default <see cref="ModelConfig.Empty"/>.</summary>
    public ModelConfig Config { get; init; } = ModelConfig.Empty;

    /// <summary>For the worker's and the backend's logs. Default: none.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock of compute timings. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long stopping waits for a running batch to finish before it is cancelled. Default 5 seconds.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
