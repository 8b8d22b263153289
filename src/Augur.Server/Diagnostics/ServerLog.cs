using Microsoft.Extensions.Logging;

namespace Augur.Server.Diagnostics;

/// <summary>The server's log messages, with stable event ids (2000–2099).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Unhandled exception on {Path}")]
    public static partial void UnhandledException(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Augur is serving {Models} model(s) from {Repository} on {Address}")]
    public static partial void Listening(ILogger logger, int models, string repository, string address);
}
