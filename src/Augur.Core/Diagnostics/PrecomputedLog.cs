using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>Log messages of precomputed predictions, with stable event ids (1400–1419).</summary>
internal static partial class PrecomputedLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "The precomputed prediction store {Source} failed ({Operation}): {Reason}; requests run the model until it answers again")]
    public static partial void StoreFailing(ILogger logger, string source, string operation, string reason);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "The precomputed prediction store {Source} failed again ({Operation}): {Reason}")]
    public static partial void StoreFailedAgain(ILogger logger, string source, string operation, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "The precomputed prediction store {Source} answers again")]
    public static partial void StoreRecovered(ILogger logger, string source);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Model {Model} version {Version} declares precomputed predictions ({Source}), but this engine reads no stores (InferenceEngineBuilder.UsePrecomputedPredictions was not called): every request runs the model")]
    public static partial void NoResolver(ILogger logger, string model, long version, string source);

    // Not the key: keys are often user or account ids, which logs should not collect.
    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Model {Model} version {Version}: a stored prediction cannot answer: {Reason}")]
    public static partial void Unusable(ILogger logger, string model, string version, string reason);
}
