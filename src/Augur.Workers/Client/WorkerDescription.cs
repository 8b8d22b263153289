using Augur.Models;

namespace Augur.Workers.Client;

/// <summary>What a worker reports about the model it loaded.</summary>
/// <param name="ModelName">The model's name, as the worker was started with.</param>
/// <param name="Version">The model version.</param>
/// <param name="Platform">The backend's platform name, e.g. <c>onnxruntime_onnx</c>.</param>
/// <param name="Signature">The model's inputs and outputs (-1 for dynamic dimensions).</param>
/// <param name="MaxBatchSize">max_batch_size from the config.json the worker was given, when it sets one.</param>
/// <param name="ProcessId">The worker's process id.</param>
public sealed record WorkerDescription(string ModelName, long Version, string Platform, ModelSignature Signature, int? MaxBatchSize, int ProcessId)
{
    /// <summary>
    /// The worker's batch socket as the worker names it (its Unix socket's path + <c>.batch</c>); null when it takes batches
    /// over gRPC only (a TCP endpoint, or a worker from before the batch socket).
    /// </summary>
    public string? BatchSocket { get; init; }
}
