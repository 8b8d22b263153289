using Augur.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Augur.Caching;

/// <summary>One engine's response cache: the in-process level, the bounded distributed level, and their instruments.</summary>
internal sealed class ResponseCache
{
    public ResponseCache(ResponseCacheOptions options, EngineMetrics engineMetrics, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        Time = time;
        Logger = loggerFactory.CreateLogger("Augur.Caching");
        Metrics = new CacheMetrics(engineMetrics.Meter);
        Memory = new MemoryLevel(options.SizeBytes);
        Distributed = options.Distributed is { } distributed ? new BoundedDistributedCache(distributed, options, time, Metrics, Logger) : null;
    }

    public ResponseCacheOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public CacheMetrics Metrics { get; }

    public MemoryLevel Memory { get; }

    /// <summary>The shared level, every call bounded; null when the engine has none.</summary>
    public BoundedDistributedCache? Distributed { get; }
}
