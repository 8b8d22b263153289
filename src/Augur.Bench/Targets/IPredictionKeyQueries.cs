namespace Augur.Bench.Targets;

/// <summary>
/// A target whose prepared queries can carry a prediction key (the <c>prediction_key</c> request parameter), so a model
/// with precomputed predictions can answer a query from its store.
/// </summary>
public interface IPredictionKeyQueries
{
    /// <summary>A copy of the prepared <paramref name="query"/> that carries <c>prediction_key</c> = <paramref name="key"/>.</summary>
    object WithPredictionKey(object query, string key);
}
