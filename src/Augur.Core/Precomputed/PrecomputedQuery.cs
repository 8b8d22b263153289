using Augur.Models;

namespace Augur.Precomputed;

/// <summary>What <see cref="IPrecomputedPredictions.FindAsync"/> looks for.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Key">The prediction key (a batch job's key column value, or the <c>prediction_key</c> request parameter).</param>
public sealed record PrecomputedQuery(string Model, string Key)
{
    /// <summary>The version whose prediction is wanted (the one serving); null takes the newest of any version.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// The outputs to decode, in the order wanted, each with the datatype and shape of one row as the version serves it
    /// (-1 for a size the stored data decides). Empty (the default) decodes none: the caller wants the stored text only.
    /// </summary>
    public IReadOnlyList<TensorSpec> Outputs { get; init; } = [];
}
