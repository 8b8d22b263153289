using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>What a <see cref="SharedStep"/> runs: a row-wise function of a batch of rows, one output row per input row.</summary>
internal interface ISharedComputation
{
    /// <summary>Its kind, for metrics: a featurizer's (<c>text_ngrams</c>) or <c>onnx_prefix</c>.</summary>
    string Kind { get; }

    /// <summary>The outputs for <paramref name="inputs"/>, in the computation's order, or the problem with them.</summary>
    StepOutcome Run(IReadOnlyList<InferenceTensor> inputs);
}

/// <summary>A featurizer as a shared computation: its one output.</summary>
internal sealed class FeaturizerComputation(IFeaturizer featurizer) : ISharedComputation
{
    private const string OutputName = "shared";

    public IFeaturizer Featurizer { get; } = featurizer;

    public string Kind => Featurizer.Kind;

    public StepOutcome Run(IReadOnlyList<InferenceTensor> inputs) =>
        Featurizer.TryRun(inputs, OutputName, out var output, out var problem) ? new StepOutcome([output], null) : new StepOutcome(null, problem);
}
