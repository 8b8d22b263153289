using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Diagnostics;

/// <summary>The ONNX Runtime backend's log messages, with stable event ids (3100–3119).</summary>
internal static partial class OnnxRuntimeLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Model {Model} version {Version} shares {AlreadyHeld} of its {Shared} large initializer(s) ({AlreadyHeldBytes} of {SharedBytes} bytes) with the models loaded before it; {Held} initializer(s), {HeldBytes} bytes, are held once, saving {SavedBytes} bytes")]
    public static partial void WeightsShared(ILogger logger, string model, long version, int alreadyHeld, int shared, long alreadyHeldBytes, long sharedBytes, int held, long heldBytes, long savedBytes);
}
