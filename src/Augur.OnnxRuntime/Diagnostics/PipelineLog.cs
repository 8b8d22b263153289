using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Diagnostics;

/// <summary>The pipeline backend's log messages, with stable event ids (3120–3129).</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Model {Model} version {Version}: the pipeline's {Steps} step(s) are fused into one ONNX Runtime graph")]
    public static partial void Fused(ILogger logger, string model, long version, int steps);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Model {Model} version {Version}: the pipeline is not fused and runs step by step: {Reason}")]
    public static partial void NotFused(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Information, Message = "Model {Model} version {Version}: fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false), so the pipeline runs step by step")]
    public static partial void FusionOff(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Information, Message = "Model {Model} version {Version}: {Step} is shared sub-plan {Fingerprint}, held by {Others} other loaded pipeline version(s); its batches are computed with theirs, and the steps after the shared prefix run step by step")]
    public static partial void StepShared(ILogger logger, string model, long version, string step, string fingerprint, int others);

    [LoggerMessage(EventId = 3124, Level = LogLevel.Information, Message = "Model {Model} version {Version}: {Step} {Outcome}")]
    public static partial void SparseHead(ILogger logger, string model, long version, string step, string outcome);
}
