using Microsoft.Extensions.Logging;

namespace Augur.Diagnostics;

/// <summary>The scheduler's log messages (event ids 1100–1199).</summary>
internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Model {Model}: batch of {Rows} sample(s) from {Requests} request(s) dispatched ({Reason})")]
    public static partial void BatchDispatched(ILogger logger, string model, int rows, int requests, string reason);
}
