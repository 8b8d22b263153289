namespace Augur.Models;

/// <summary>
/// Warm-up run on every instance before a model version is marked ready: <see cref="Iterations"/>
/// inferences of <see cref="BatchSize"/> zero-filled samples (empty strings for BYTES; every other
/// variable dimension is 1). The first ONNX Runtime run allocates and plans; warming up keeps that
/// cost off the first client's request. When the model has variable dimensions besides the batch dimension
/// and warm-up was not configured, the guessed shapes may not suit the model; a failure is then logged as a
/// warning and the version still becomes ready.
/// </summary>
/// <param name="Iterations">Runs per instance; 0 disables warm-up. Default 1.</param>
/// <param name="BatchSize">Samples per warm-up run when the model batches. Default 1.</param>
public sealed record WarmupConfig(int Iterations = 1, int BatchSize = 1)
{
    /// <summary>The default: one run of one sample.</summary>
    public static WarmupConfig Default { get; } = new();

    /// <summary>True when config.json set <c>warmup</c>; a failure then always makes the version unavailable.</summary>
    public bool IsExplicit { get; init; }
}
