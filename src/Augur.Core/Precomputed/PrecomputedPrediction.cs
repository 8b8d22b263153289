using Augur.Tensors;

namespace Augur.Precomputed;

/// <summary>One stored prediction, as <see cref="IPrecomputedPredictions.FindAsync"/> finds it.</summary>
/// <param name="Key">The key it is stored under.</param>
/// <param name="ModelVersion">The model version that made it.</param>
/// <param name="CreatedAt">When it was made (stored).</param>
/// <param name="OutputsJson">
/// The outputs as stored: a JSON object of output name to the row's data array, each written by the protocol's tensor
/// JSON writer. The engine does not read it; the store decodes <see cref="Outputs"/> from it.
/// </param>
public sealed record PrecomputedPrediction(string Key, string ModelVersion, DateTimeOffset CreatedAt, string OutputsJson)
{
    /// <summary>
    /// The outputs <see cref="PrecomputedQuery.Outputs"/> asked for that the stored row holds, decoded to the datatype and
    /// shape of one row, in the order asked; empty when none was asked for or the prediction is of another version.
    /// </summary>
    public IReadOnlyList<InferenceTensor> Outputs { get; init; } = [];

    /// <summary>The job that made it, when the store records one.</summary>
    public string? JobId { get; init; }

    /// <summary>The row of the job's input it was made for, when the store records one.</summary>
    public long? RowId { get; init; }

    /// <summary>The input columns the job chose to keep, a JSON object, when the store records them.</summary>
    public string? InputsJson { get; init; }
}
