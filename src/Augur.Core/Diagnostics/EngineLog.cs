using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>The engine's log messages, with stable event ids (1000–1099).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Model {Model} version {Version} is ready ({Platform}, {Instances} instance(s), max batch size {MaxBatchSize})")]
    public static partial void VersionReady(ILogger logger, string model, long version, string platform, int instances, int maxBatchSize);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Model {Model} version {Version} failed to load: {Reason}")]
    public static partial void VersionFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Model {Model} is unavailable: {Reason}")]
    public static partial void ModelUnavailable(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Model {Model} failed while executing a batch")]
    public static partial void BackendFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Model {Model} version {Version} serves without warm-up: {Reason}")]
    public static partial void WarmupSkipped(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Ignoring {Path} in model {Model}: not a version folder (a positive integer)")]
    public static partial void IgnoredEntry(ILogger logger, string model, string path);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Loading the models of {Repository}")]
    public static partial void LoadingRepository(ILogger logger, string repository);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Loaded {Models} model(s) from {Repository}, {Ready} ready")]
    public static partial void LoadedRepository(ILogger logger, int models, string repository, int ready);
}
