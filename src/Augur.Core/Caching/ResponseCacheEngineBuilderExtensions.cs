using Augur.Caching;

namespace Augur;

/// <summary>Adds the response cache to an <see cref="InferenceEngineBuilder"/>.</summary>
public static class ResponseCacheEngineBuilderExtensions
{
    /// <summary>
    /// Answers a request with the answer an identical earlier request got, for models whose config.json says
    /// <c>"response_cache": {"enable": true}</c> (never for sequence models): same version (and files), same inputs
    /// (names, datatypes, shapes, bytes; in any order) and same requested outputs. Identical requests that miss at the same
    /// time run the model once. Every front door gets it; responses say <c>prediction_source</c> <c>cache</c> or
    /// <c>model</c>. Calling it again replaces the earlier options. Throws <see cref="ArgumentOutOfRangeException"/> for
    /// an option out of range.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">Size, distributed level, timeouts; null for the defaults (256 MiB in process, no distributed level).</param>
    public static InferenceEngineBuilder UseResponseCache(this InferenceEngineBuilder builder, ResponseCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ReplaceRequestStage(new ResponseCacheStageFactory((options ?? new ResponseCacheOptions()).Validated()));
    }
}
