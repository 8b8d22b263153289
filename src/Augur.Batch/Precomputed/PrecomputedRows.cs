using System.Globalization;
using Augur.Batch.Storage;
using Augur.Precomputed;
using Augur.Protocol.Json;

namespace Augur.Batch.Precomputed;

/// <summary>A stored row as the engine's precomputed predictions want it: times parsed, outputs decoded when of the version asked for.</summary>
internal static class PrecomputedRows
{
    public static PrecomputedPrediction From(StoredPrediction stored, PrecomputedQuery query)
    {
        // A row of another version is not decoded: the caller cannot use it, and its outputs may not fit this signature.
        var decode = query.Outputs.Count > 0 && (query.Version is null || query.Version == stored.ModelVersion);
        return new PrecomputedPrediction(stored.Key, stored.ModelVersion, ParseTime(stored.CreatedAt), stored.OutputsJson)
        {
            Outputs = decode ? RowOutputsJson.Read(stored.OutputsJson, query.Outputs, out _) : [],
            JobId = stored.JobId,
            RowId = stored.RowId,
            InputsJson = stored.InputsJson,
        };
    }

    /// <summary>
    /// A stored time (<see cref="PredictionStore.Format"/>). One that does not parse is taken as the oldest possible, so
    /// the prediction counts as stale rather than failing the lookup.
    /// </summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : DateTimeOffset.MinValue;
}
