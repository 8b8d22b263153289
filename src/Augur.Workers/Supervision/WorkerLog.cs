using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>The supervision's log messages.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "worker: {Line}")]
    public static partial void Output(ILogger logger, string line);

    /// <summary>A line of the worker's standard error, at the level the worker logged it (see <see cref="WorkerLogLine"/>).</summary>
    [LoggerMessage(EventId = 3012, Message = "worker: {Line}")]
    public static partial void Relayed(ILogger logger, LogLevel level, string line);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Worker {Instance} of model '{Model}' version {Version} started (pid {Pid}) at {Endpoint}")]
    public static partial void Started(ILogger logger, string model, long version, int instance, int pid, string endpoint);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Error, Message = "Worker {Instance} of model '{Model}' version {Version} is down: {Reason}")]
    public static partial void Down(ILogger logger, string model, long version, int instance, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Worker {Instance} of model '{Model}' version {Version} did not restart: {Reason}")]
    public static partial void RestartFailed(ILogger logger, string model, long version, int instance, string reason);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Model '{Model}' version {Version}: no worker answers at {Endpoint} yet ({Reason}); trying again for up to {Milliseconds} ms")]
    public static partial void WaitingForRemote(ILogger logger, string model, long version, string endpoint, string reason, long milliseconds);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Information, Message = "Removed {Folder}, left by server process {Pid}, which is gone (it was killed before it could remove it)")]
    public static partial void RemovedLeftoverFolder(ILogger logger, string folder, int pid);
}
