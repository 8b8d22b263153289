using Microsoft.Extensions.Logging;

namespace Augur.Workers.Diagnostics;

/// <summary>The model worker's log messages, with stable event ids (3000–3019).</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Worker loaded model {Model} version {Version} with backend {Backend} in {Milliseconds} ms")]
    public static partial void Loaded(ILogger logger, string model, long version, string backend, long milliseconds);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Worker of model {Model} version {Version} listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, string model, long version, string endpoint);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Model {Model} failed while executing a batch in the worker")]
    public static partial void BatchFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Worker of model {Model} version {Version} stopping")]
    public static partial void Stopping(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Removed the stale socket {Path}: nobody listened on it (its worker was killed)")]
    public static partial void RemovedStaleSocket(ILogger logger, string path);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Worker of model {Model} version {Version} takes batches on its batch socket {Path}")]
    public static partial void BatchSocket(ILogger logger, string model, long version, string path);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Worker of model {Model} version {Version} has no batch socket ({Reason}); batches come over gRPC")]
    public static partial void NoBatchSocket(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Worker of model {Model} closed a batch socket connection: {Reason}")]
    public static partial void BadBatchFrame(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Worker of model {Model} closed a batch socket connection after an unexpected failure")]
    public static partial void BatchConnectionFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Worker of model {Model} could not accept a batch socket connection: {Reason}")]
    public static partial void BatchAcceptFailed(ILogger logger, string model, string reason);
}
