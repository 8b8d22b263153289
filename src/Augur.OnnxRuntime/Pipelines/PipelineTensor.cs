using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// A tensor of a pipeline as validation infers it: its name, datatype and shape (-1 for a dimension known only at run
/// time; the first is the batch) and who defines it, for messages.
/// </summary>
/// <param name="Name">The pipeline tensor name.</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The shape, -1 where dynamic.</param>
/// <param name="Producer">Who defines it: <c>pipeline input</c> or <c>step 'name'</c>.</param>
internal sealed record PipelineTensor(string Name, DataType DataType, long[] Shape, string Producer)
{
    /// <summary>The producer of a pipeline input.</summary>
    public const string PipelineInput = "pipeline input";

    /// <summary>The producer name of step <paramref name="step"/>.</summary>
    public static string StepProducer(string step) => $"step '{step}'";

    /// <summary>E.g. <c>tensor 'features' (FP32 [-1,4096], from step 'featurize')</c>.</summary>
    public string Describe() => $"tensor '{Name}' ({DataType.Name()} {TensorShape.Format(Shape)}, from {Producer})";
}
