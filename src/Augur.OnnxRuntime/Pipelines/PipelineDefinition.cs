using Augur.Models;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// A pipeline as pipeline.json declares it (design note 0013), read and checked for form but not yet validated as a
/// data flow (<see cref="PipelineGraph"/>, <see cref="PipelinePlan"/>).
/// </summary>
/// <param name="Inputs">The pipeline's inputs: name, datatype and shape, the first dimension -1 (the batch).</param>
/// <param name="Outputs">The pipeline tensors returned, in this order.</param>
/// <param name="Steps">The steps, in the order listed (not necessarily the order they run in).</param>
internal sealed record PipelineDefinition(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<PipelineStep> Steps)
{
    /// <summary>The file a pipeline's version folder holds.</summary>
    public const string FileName = "pipeline.json";
}
