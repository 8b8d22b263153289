using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>Model control log messages (loads, swaps, unloads, polls), with stable event ids (1200–1219).</summary>
internal static partial class ModelControlLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Model {Model} now serves version(s) {Versions}")]
    public static partial void Swapped(ILogger logger, string model, string versions);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Model {Model} failed to reload; the previous version(s) keep serving: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Model {Model} unloaded")]
    public static partial void Unloaded(ILogger logger, string model);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Polling the model repository failed")]
    public static partial void PollFailed(ILogger logger, Exception exception);
}
