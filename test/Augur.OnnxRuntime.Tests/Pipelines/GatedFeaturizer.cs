using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>A featurizer that waits at <see cref="Gate"/> on its first run, then computes as the one it wraps.</summary>
internal sealed class GatedFeaturizer(IFeaturizer inner) : IFeaturizer
{
    private int _runs;

    public SemaphoreSlim Gate { get; } = new(0);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Kind => inner.Kind;

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem) =>
        inner.TryInfer(inputs, out dataType, out shape, out problem);

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        if (Interlocked.Increment(ref _runs) == 1)
        {
            Entered.SetResult();
            Gate.Wait();
        }

        return inner.TryRun(inputs, output, out result, out problem);
    }
}
