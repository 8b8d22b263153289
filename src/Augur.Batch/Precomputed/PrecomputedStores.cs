using Augur.Batch.Storage;
using Augur.Precomputed;

namespace Augur.Batch.Precomputed;

/// <summary>
/// Turns a config.json <c>precomputed.source</c> into a store, for <see cref="InferenceEngineBuilder.UsePrecomputedPredictions"/>:
/// <c>redis://…</c> or <c>unix:///…redis.sock</c> is Redis (filled by <c>augur predictions publish</c>), <c>postgres://…</c>
/// a PostgreSQL database and anything else a SQLite file, both written by <c>augur batch</c>. Nothing connects here: each
/// store connects (and a SQL store creates its tables if missing) on its first lookup.
/// </summary>
public static class PrecomputedStores
{
    /// <summary>The store <paramref name="source"/> names; throws <see cref="ArgumentException"/> naming what is wrong with it.</summary>
    public static IPrecomputedPredictions Open(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (RedisLocation.IsUri(source))
        {
            return RedisLocation.TryParse(source, out var configuration, out var problem)
                ? new RedisPredictionStore(configuration, RedisLocation.Redact(source))
                : throw new ArgumentException(problem);
        }

        if (source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            // Said without the source: the engine names it with the setting.
            throw new ArgumentException("only SQLite files, postgres://, redis:// and unix:// (Redis) URIs are supported");
        }

        return StoreLocation.TryParse(source, out var location, out var sqlProblem) ? new LazyPredictionStore(location) : throw new ArgumentException(sqlProblem);
    }
}
