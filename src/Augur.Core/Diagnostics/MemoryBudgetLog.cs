using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>The memory budget's log messages, with stable event ids (1220–1239).</summary>
internal static partial class MemoryBudgetLog
{
    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "Memory budget {Budget}: models load on their first request and the least recently used are unloaded to make room")]
    public static partial void Lazy(ILogger logger, string budget);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Information, Message = "Loading model {Model} on demand (about {Bytes}; {Used} of {Budget} in use)")]
    public static partial void LoadingOnDemand(ILogger logger, string model, string bytes, string used, string budget);

    [LoggerMessage(EventId = 1222, Level = LogLevel.Information, Message = "Unloading model {Model} ({Bytes}, least recently used) to make room for {For}")]
    public static partial void Evicting(ILogger logger, string model, string bytes, string @for);

    [LoggerMessage(EventId = 1223, Level = LogLevel.Warning, Message = "Model {Model} was not loaded: {Reason}")]
    public static partial void Refused(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1224, Level = LogLevel.Warning, Message = "The loaded models hold {Used}, over the memory budget of {Budget}: every other model is in use or required; the next load unloads more")]
    public static partial void OverBudget(ILogger logger, string used, string budget);

    [LoggerMessage(EventId = 1225, Level = LogLevel.Error, Message = "Loading model {Model} on demand failed")]
    public static partial void LoadFailed(ILogger logger, string model, Exception exception);
}
