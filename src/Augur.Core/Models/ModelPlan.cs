namespace Augur.Models;

/// <summary>
/// How a loaded model version runs, as its backend optimised it (<c>augur models plan</c>): its steps, what it holds in
/// common with other loaded versions, and notes on the optimisations applied or not, with why.
/// </summary>
/// <param name="Steps">What runs for a batch, in order.</param>
/// <param name="Shared">What the version holds or computes together with any other version that has the same <see cref="SharedResource.Key"/>.</param>
/// <param name="Notes">One line per optimisation decision, e.g. <c>fused: 2 steps in one ONNX Runtime graph</c>.</param>
public sealed record ModelPlan(IReadOnlyList<PlanStep> Steps, IReadOnlyList<SharedResource> Shared, IReadOnlyList<string> Notes);

/// <summary>One step of a plan.</summary>
/// <param name="Name">The step's name (a pipeline step's, or the model file's).</param>
/// <param name="Runs">What runs, e.g. <c>ONNX Runtime session (classifier.onnx)</c> or <c>text_ngrams {"buckets":4096}</c>.</param>
/// <param name="SharedKey">The <see cref="SharedResource.Key"/> of the shared sub-plan the step runs through; null when it is the version's own.</param>
public sealed record PlanStep(string Name, string Runs, string? SharedKey = null);

/// <summary>Something a version shares: a weight held once, or a sub-plan computed once for the batches of every version holding it.</summary>
/// <param name="Kind"><see cref="Weight"/> or <see cref="SubPlan"/>.</param>
/// <param name="Key">Equal for the same thing in every version: a content hash, a fingerprint.</param>
/// <param name="Bytes">The bytes held once (0 for a sub-plan).</param>
/// <param name="Description">E.g. <c>initializer encoder.weight</c>, <c>text_ngrams {"buckets":4096}</c>.</param>
public sealed record SharedResource(string Kind, string Key, long Bytes, string Description)
{
    public const string Weight = "weight";

    public const string SubPlan = "sub-plan";
}

/// <summary>The plan of one loaded version; <see cref="Plan"/> is null when its backend does not describe one (a worker process's model).</summary>
public sealed record VersionPlan(string Model, long Version, string Platform, ModelPlan? Plan);
