using Augur.Inference;

namespace Augur.Testing.Fakes;

/// <summary>One call of <see cref="Augur.Backends.IModelInstance.ExecuteAsync"/> on a fake instance.</summary>
/// <param name="Model">The model the instance belongs to.</param>
/// <param name="Instance">The instance.</param>
/// <param name="Sequence">The call's number among all calls on the model, from 0 (warm-up calls included).</param>
/// <param name="Batch">The requests.</param>
/// <param name="CancellationToken">The token the engine passed.</param>
public sealed record FakeCall(FakeModel Model, FakeModelInstance Instance, int Sequence, IReadOnlyList<InferenceRequest> Batch, CancellationToken CancellationToken);
