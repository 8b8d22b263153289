using Augur.Caching;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// The response cache <c>augur serve</c> gives its engine: the in-process size, and the Redis server of <c>--cache</c>
/// as the shared level (Microsoft's RedisCache over a connection opened here, at start-up, in the background: a Redis
/// that is slow or down delays nothing, and requests meanwhile go on without it). The engine bounds every call to it and
/// never fails a request because of it. Disposing closes the connection.
/// </summary>
internal sealed class ServeCache : IDisposable
{
    private readonly RedisCache? _redis;

    private ServeCache(ResponseCacheOptions options, RedisCache? redis, Task<IConnectionMultiplexer>? connecting)
    {
        Options = options;
        _redis = redis;
        Connecting = connecting ?? Task.FromResult<IConnectionMultiplexer>(null!);
    }

    public ResponseCacheOptions Options { get; }

    /// <summary>The Redis connection's first attempt (it retries on its own after that); completed at once without Redis.</summary>
    public Task<IConnectionMultiplexer> Connecting { get; }

    /// <summary>The cache of already validated settings (<see cref="ServeSettings.Validate"/> checked the address).</summary>
    public static ServeCache Open(ServeSettings settings)
    {
        RedisCache? redis = null;
        Task<IConnectionMultiplexer>? connecting = null;
        if (settings.Cache is { } address)
        {
            if (!RedisAddress.TryParse(address, "--cache", out var configuration, out var problem))
            {
                throw new ArgumentException(problem, nameof(settings));
            }

            connecting = ConnectAsync(configuration);
            redis = new RedisCache(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => connecting }));
        }

        var options = new ResponseCacheOptions
        {
            SizeBytes = settings.CacheSize,
            Distributed = redis,
            DistributedTimeout = TimeSpan.FromMilliseconds(settings.CacheTimeoutMilliseconds),
        };
        return new ServeCache(options, redis, connecting);
    }

    // AbortOnConnectFail is off (RedisAddress), so this completes after the first attempt with a connection that keeps retrying.
    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);

    public void Dispose()
    {
        _redis?.Dispose();
        // The connection is this object's, whether RedisCache got to use it or not; one still connecting is closed when it is done.
        _ = Connecting.ContinueWith(static t => t.Result?.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
