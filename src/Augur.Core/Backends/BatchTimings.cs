namespace Augur.Backends;

/// <summary>The compute phases of one batch.</summary>
/// <param name="Input">Preparing the backend's input tensors.</param>
/// <param name="Infer">Running the model.</param>
/// <param name="Output">Copying outputs out.</param>
public readonly record struct BatchTimings(TimeSpan Input, TimeSpan Infer, TimeSpan Output);
