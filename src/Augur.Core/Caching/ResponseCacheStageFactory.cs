using System.Runtime.CompilerServices;
using Augur.Diagnostics;
using Augur.Stages;
using Microsoft.Extensions.Logging;

namespace Augur.Caching;

/// <summary>
/// Makes the response cache stage of each version whose config.json enables <c>response_cache</c>, except for sequence
/// models. Every engine built with the factory gets its own <see cref="ResponseCache"/> (found by the engine's metrics,
/// which are one per engine), so two engines from one builder share no entries and no instruments.
/// </summary>
internal sealed class ResponseCacheStageFactory(ResponseCacheOptions options) : IRequestStageFactory
{
    private readonly ConditionalWeakTable<EngineMetrics, ResponseCache> _caches = [];

    public int Order => StageOrder.ResponseCache;

    public ResponseCacheOptions Options { get; } = options;

    public IRequestStage? Create(StageSite site)
    {
        if (site.Config.ResponseCache is not { Enable: true } config)
        {
            return null;
        }

        if (site.IsSequenceModel)
        {
            CacheLog.SequenceModelNotCached(site.LoggerFactory.CreateLogger("Augur.Caching"), site.Model);
            return null;
        }

        var cache = _caches.GetValue(site.Metrics, metrics => new ResponseCache(Options, metrics, site.Time, site.LoggerFactory));
        return new ResponseCacheStage(cache, site, config.TimeToLive ?? Options.DefaultTimeToLive);
    }
}
