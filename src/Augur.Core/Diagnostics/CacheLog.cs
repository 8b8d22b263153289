using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>The response cache's log messages, with stable event ids (1300–1399).</summary>
internal static partial class CacheLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Model {Model} has sequence_batching: its response_cache is not used (a step's answer depends on its sequence's state)")]
    public static partial void SequenceModelNotCached(ILogger logger, string model);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "The distributed response cache failed ({Operation}: {Reason}; each call waits at most {TimeoutMilliseconds} ms); requests go on without it, which is tried again in {RetryMilliseconds} ms")]
    public static partial void DistributedCacheFailed(ILogger logger, string operation, string reason, double timeoutMilliseconds, double retryMilliseconds, Exception? exception);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Model {Model} version {Version}: an entry of the distributed response cache is not usable ({Problem}); the model answers instead")]
    public static partial void DistributedEntryRejected(ILogger logger, string model, long version, string problem);
}
