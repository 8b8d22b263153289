namespace Augur.Models;

/// <summary>What the protocol's model metadata endpoint returns.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Versions">The ready versions, as strings, highest first.</param>
/// <param name="Platform">The backend platform, e.g. <c>onnxruntime_onnx</c>.</param>
/// <param name="Signature">Inputs and outputs with full shapes (-1 for the batch dimension and other variable sizes).</param>
/// <param name="MaxBatchSize">The largest batch accepted; 0 when the model does not batch.</param>
public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, ModelSignature Signature, int MaxBatchSize);
