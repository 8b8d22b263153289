using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Diagnostics;

/// <summary>The ONNX Runtime backend's log messages, with stable event ids (3100–3119).</summary>
internal static partial class OnnxRuntimeLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Model {Model} version {Version} shares {AlreadyHeld} of its {Shared} large initializer(s) ({AlreadyHeldBytes} of {SharedBytes} bytes) with the models loaded before it; {Held} initializer(s), {HeldBytes} bytes, are held once, saving {SavedBytes} bytes")]
    public static partial void WeightsShared(ILogger logger, string model, long version, int alreadyHeld, int shared, long alreadyHeldBytes, long sharedBytes, int held, long heldBytes, long savedBytes);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "ONNX Runtime environment created: global thread pools of {ThreadPool}; {Arena}")]
    public static partial void EnvironmentCreated(ILogger logger, string threadPool, string arena);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "The ONNX Runtime environment was created before Augur's (by the host, a library or a session opened directly), so it has no global thread pools Augur knows of and every session keeps its own; {Arena}")]
    public static partial void EnvironmentAdopted(ILogger logger, string arena);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "The ONNX Runtime environment exists already, so these global thread pool options cannot apply: {IntraOp} intra-op and {InterOp} inter-op thread(s), spinning {Spinning}; the process keeps {ThreadPool}")]
    public static partial void EnvironmentOptionsIgnored(ILogger logger, int intraOp, int interOp, string spinning, string threadPool);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Model {Model} version {Version}: thread pool {ThreadPool}; CPU arena {Arena}")]
    public static partial void SessionPlacement(ILogger logger, string model, long version, string threadPool, string arena);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Model {Model} version {Version} begins with shared sub-plan {Fingerprint}, an {Prefix}, held by {Others} other loaded model version(s): its batches are computed with theirs, then the rest of its graph runs on its own")]
    public static partial void PrefixShared(ILogger logger, string model, long version, string fingerprint, string prefix, int others);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Model {Model} version {Version} has {Nodes} node(s) in common with {Other}, but they are not shared: {Reason}")]
    public static partial void PrefixNotShared(ILogger logger, string model, long version, int nodes, string other, string reason);
}
