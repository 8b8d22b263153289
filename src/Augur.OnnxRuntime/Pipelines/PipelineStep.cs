using Augur.OnnxRuntime.Pipelines.Featurizers;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>One step of a pipeline: the pipeline tensors it reads and those it defines.</summary>
internal abstract record PipelineStep(string Name)
{
    /// <summary>The pipeline tensors read, in the step's order (repeats possible).</summary>
    public abstract IReadOnlyList<string> Reads { get; }

    /// <summary>The pipeline tensors defined, in the step's order.</summary>
    public abstract IReadOnlyList<string> Defines { get; }

    /// <summary>E.g. <c>step 'classify' (classifier.onnx)</c>, for messages.</summary>
    public abstract string Describe();
}

/// <summary>A step that runs an ONNX graph of the version folder.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="File">The graph's file name in the version folder.</param>
/// <param name="Inputs">Each graph input name and the pipeline tensor fed to it.</param>
/// <param name="Outputs">Each graph output kept and the pipeline tensor it defines.</param>
internal sealed record OnnxStep(string Name, string File, IReadOnlyList<(string Graph, string Tensor)> Inputs, IReadOnlyList<(string Graph, string Tensor)> Outputs)
    : PipelineStep(Name)
{
    public override IReadOnlyList<string> Reads => Inputs.Select(i => i.Tensor).ToArray();

    public override IReadOnlyList<string> Defines => Outputs.Select(o => o.Tensor).ToArray();

    public override string Describe() => $"step '{Name}' ({File})";
}

/// <summary>A step that runs a built-in featurizer.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="Featurizer">The featurizer, its settings checked.</param>
/// <param name="Inputs">The pipeline tensors it reads, in order.</param>
/// <param name="Output">The pipeline tensor it defines.</param>
/// <param name="Settings">Its settings as canonical JSON (properties sorted, no spaces): two steps of one kind with equal settings compute the same function.</param>
internal sealed record FeaturizerStep(string Name, IFeaturizer Featurizer, IReadOnlyList<string> Inputs, string Output, string Settings = "{}") : PipelineStep(Name)
{
    public override IReadOnlyList<string> Reads => Inputs;

    public override IReadOnlyList<string> Defines => [Output];

    public override string Describe() => $"step '{Name}' ({Featurizer.Kind})";
}
