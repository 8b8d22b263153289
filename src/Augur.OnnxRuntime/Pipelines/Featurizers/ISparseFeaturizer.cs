using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// A featurizer that can also give its FP32 output as sparse rows (design note 0017), from the same dense inputs:
/// <see cref="SparseRows.ToDense"/> of the result equals <see cref="IFeaturizer.TryRun"/>'s output bit for bit, and the
/// problems are the same. <c>concat</c>, which reads FP32 rows, joins sparse rows instead (<see cref="SparseRows.Concat"/>).
/// </summary>
internal interface ISparseFeaturizer : IFeaturizer
{
    /// <summary>The output of <see cref="IFeaturizer.TryRun"/> as sparse rows, or the same problem.</summary>
    bool TryRunSparse(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? result, [NotNullWhen(false)] out string? problem);
}
