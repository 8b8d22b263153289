using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// A featurizer whose output is INT64 bucket ids [B, K] in [0, <see cref="Buckets"/>) that can also give each row's ids
/// as their counts (design note 0017), the sparse form an embedding bag of a linear head reads: row r has an entry at
/// each bucket its dense row holds, valued by how many times it holds it (<see cref="SparseRows.FromIds"/> of
/// <see cref="IFeaturizer.TryRun"/>'s output, bit for bit), and the problems are the same.
/// </summary>
internal interface IBucketCountsFeaturizer : IFeaturizer
{
    /// <summary>The number of buckets: every id is below it, and it is the width of the counts.</summary>
    int Buckets { get; }

    /// <summary>The output of <see cref="IFeaturizer.TryRun"/> as counts of width <see cref="Buckets"/>, or the same problem.</summary>
    bool TryRunCounts(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? counts, [NotNullWhen(false)] out string? problem);
}
