namespace Augur.Precomputed;

/// <summary>
/// A store of predictions made ahead of time, keyed by model and key (what <c>augur batch</c> writes: a SQLite or
/// PostgreSQL store, or Redis filled from one). The engine asks it before running a model for a request that carries a
/// key (config.json <c>precomputed</c>), and the server's <c>GET /v2/models/{model}/predictions/{key}</c> reads it.
/// One instance serves every model and version that names its source, concurrently, and must be thread-safe. The engine
/// bounds every call by the model's timeout and treats any exception as the store being unavailable (the model runs);
/// implementations should throw <see cref="PrecomputedStoreException"/> for that, so other callers can tell it apart.
/// </summary>
public interface IPrecomputedPredictions : IAsyncDisposable
{
    /// <summary>
    /// The prediction for <see cref="PrecomputedQuery.Key"/>: the newest of <see cref="PrecomputedQuery.Version"/> when
    /// the store holds one, otherwise the newest of any version (so the caller can tell a prediction of another version
    /// from none), or null when the store holds none for the key. When the prediction's version is the one asked for (or
    /// none was asked for), its <see cref="PrecomputedPrediction.Outputs"/> holds those of
    /// <see cref="PrecomputedQuery.Outputs"/> it has, decoded.
    /// </summary>
    ValueTask<PrecomputedPrediction?> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a prediction the model just made (config.json <c>write_back</c>), so later lookups of its key find it. A
    /// store that cannot be written throws <see cref="NotSupportedException"/>.
    /// </summary>
    ValueTask WriteAsync(PrecomputedWrite write, CancellationToken cancellationToken);
}
