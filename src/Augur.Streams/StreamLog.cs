using Microsoft.Extensions.Logging;

namespace Augur.Streams;

/// <summary>The stream consumer's logs, with stable event ids.</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Consuming '{Input}' as '{Consumer}' of group '{Group}' with model '{Model}'; outputs to '{Output}'")]
    public static partial void Started(ILogger logger, string input, string consumer, string group, string model, string output);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Created consumer group '{Group}' on '{Input}'")]
    public static partial void GroupCreated(ILogger logger, string group, string input);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Message {Id} dead-lettered to '{DeadLetter}': {Reason}")]
    public static partial void DeadLettered(ILogger logger, string id, string deadLetter, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Message {Id} failed (attempt {Attempt} of {MaxAttempts}); left pending for a retry: {Reason}")]
    public static partial void WillRetry(ILogger logger, string id, long attempt, int maxAttempts, string reason);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Message {Id} was claimed by another consumer before its outcome was written; dropped here")]
    public static partial void LostOwnership(ILogger logger, string id);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "Claimed {Count} pending messages idle for at least {MinIdle}")]
    public static partial void Claimed(ILogger logger, int count, TimeSpan minIdle);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "Could not write the outcome of message {Id}; it stays pending and will be retried")]
    public static partial void WriteFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 407, Level = LogLevel.Error, Message = "Reading '{Input}' failed; retrying")]
    public static partial void ReadFailed(ILogger logger, string input, Exception exception);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Stopped after {Processed} messages; nothing left in flight")]
    public static partial void Stopped(ILogger logger, long processed);

    [LoggerMessage(EventId = 409, Level = LogLevel.Debug, Message = "{MaxInFlight} messages in flight, the most allowed; reading again when one finishes")]
    public static partial void Full(ILogger logger, int maxInFlight);
}
