using System.Diagnostics.CodeAnalysis;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// A built-in pipeline step (design note 0013): row-wise over tensors whose first dimension is the batch, one output
/// tensor. Created from its settings, which it has checked; immutable, so one featurizer serves every instance.
/// </summary>
internal interface IFeaturizer
{
    /// <summary>The kind named in pipeline.json (<c>"featurizer": "text_ngrams"</c>).</summary>
    string Kind { get; }

    /// <summary>
    /// The output's datatype and shape (first dimension -1, the batch) for inputs of these datatypes and shapes, or why
    /// the inputs do not fit. The batch dimension of every input has been checked already.
    /// </summary>
    bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem);

    /// <summary>
    /// Computes the output, named <paramref name="output"/>, for a batch. The inputs have the datatypes and ranks
    /// <see cref="TryInfer"/> accepted and one batch size; a dynamic dimension that does not fit is the problem returned.
    /// </summary>
    bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem);
}
