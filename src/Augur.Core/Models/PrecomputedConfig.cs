namespace Augur.Models;

/// <summary>
/// Precomputed predictions (config.json <c>precomputed</c>): a request that carries a prediction key is answered from a
/// store of predictions made ahead of time (by <c>augur batch</c>) when the store holds a fresh one of the version now
/// serving; any other request runs the model. See <see cref="InferenceEngineBuilder.UsePrecomputedPredictions"/>.
/// </summary>
public sealed record PrecomputedConfig
{
    /// <summary>The default bound on one lookup or write: 100 ms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest <see cref="Timeout"/> accepted: 60 s.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Where the predictions are (<c>source</c>, required): a SQLite file written by <c>augur batch</c> (a relative path
    /// is taken from the model's folder, where config.json is), or a URI (<c>postgres://…</c>, <c>redis://…</c>), which
    /// the engine's resolver turns into a store. Paths are made absolute before they reach the resolver.
    /// </summary>
    public required string Source { get; init; }

    /// <summary>
    /// How old a stored prediction may be and still answer (<c>max_age_seconds</c>, required, at least 1 s): an older
    /// one is stale and the model runs instead.
    /// </summary>
    public required TimeSpan MaxAge { get; init; }

    /// <summary>
    /// A BYTES or INT64 input whose single value is the key (<c>key_input</c>), for requests that carry no
    /// <c>prediction_key</c> parameter; null (the default) takes keys from that parameter only.
    /// </summary>
    public string? KeyInput { get; init; }

    /// <summary>
    /// When true (<c>write_back</c>), the answer of a request that ran the model because the store had no fresh prediction
    /// for its key is written to the store (in the background; it never delays the response), so the next request with
    /// that key is answered from it. Default false.
    /// </summary>
    public bool WriteBack { get; init; }

    /// <summary>
    /// The longest the engine waits for the store on one lookup or write (<c>timeout_microseconds</c>, from 1 µs to
    /// 60 s); past it the request runs the model and the failure is counted. Default 100 ms.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}
