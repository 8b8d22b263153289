using Augur.Tensors;

namespace Augur.Precomputed;

/// <summary>A prediction the model just made, for <see cref="IPrecomputedPredictions.WriteAsync"/>.</summary>
/// <param name="Model">The model name.</param>
/// <param name="ModelVersion">The version that made it.</param>
/// <param name="Key">The key to store it under.</param>
/// <param name="Outputs">Every output of the version, each of one row.</param>
/// <param name="CreatedAt">When it was made, by the engine's clock.</param>
public sealed record PrecomputedWrite(string Model, string ModelVersion, string Key, IReadOnlyList<InferenceTensor> Outputs, DateTimeOffset CreatedAt);
