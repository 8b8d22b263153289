namespace Augur.Models;

/// <summary>
/// config.json's <c>response_cache</c> (Triton's name): whether the engine may answer a request with the answer it gave an
/// identical request before (same version, inputs and requested outputs), and for how long. The cache itself (its size,
/// a shared Redis) is the engine's: <see cref="ResponseCacheEngineBuilderExtensions.UseResponseCache"/>, or
/// <c>augur serve --cache-size</c> and <c>--cache</c>.
/// </summary>
/// <param name="Enable">True caches this model's answers (<c>"enable": true</c>). Default false.</param>
/// <param name="TimeToLive">
/// How long an answer stays usable (<c>ttl_seconds</c>); null takes the engine's default
/// (<see cref="Caching.ResponseCacheOptions.DefaultTimeToLive"/>, 1 hour).
/// </param>
public sealed record ResponseCacheConfig(bool Enable, TimeSpan? TimeToLive = null)
{
    /// <summary>The longest <c>ttl_seconds</c> accepted: 30 days.</summary>
    public const int MaxTimeToLiveSeconds = 30 * 24 * 3600;
}
