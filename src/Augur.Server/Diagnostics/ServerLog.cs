using Microsoft.Extensions.Logging;

namespace Augur.Server.Diagnostics;

/// <summary>The server's log messages, with stable event ids (2000–2099).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Unhandled exception on {Path}")]
    public static partial void UnhandledException(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Augur is serving {Models} model(s) from {Repository} on {Address}")]
    public static partial void Listening(ILogger logger, int models, string repository, string address);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Augur listens on {Address} and is loading the models of {Repository}; readiness is false until they are loaded")]
    public static partial void ListeningWhileLoading(ILogger logger, string address, string repository);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Critical, Message = "Augur could not load the models of {Repository}; the host stops")]
    public static partial void ModelLoadFailed(ILogger logger, string repository, Exception exception);

    [LoggerMessage(EventId = 2050, Level = LogLevel.Information, Message = "Augur serves gRPC (inference.GRPCInferenceService, health, reflection) on {Address}")]
    public static partial void GrpcListening(ILogger logger, string address);

    [LoggerMessage(EventId = 2051, Level = LogLevel.Error, Message = "A ModelStreamInfer request for model {Model} failed unexpectedly")]
    public static partial void StreamRequestFailed(ILogger logger, string model, Exception exception);
}
