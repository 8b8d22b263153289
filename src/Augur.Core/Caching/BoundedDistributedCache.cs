using Augur.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Augur.Caching;

/// <summary>
/// A distributed cache that can never hold a request up for long nor fail it: every call waits at most the timeout
/// (on the engine's clock), and a failure, a timeout or a cancellation becomes a miss (null) or a skipped write, counted
/// on <c>augur.cache.distributed.failures</c>. After a failure the cache is left alone for the retry delay, so an outage
/// costs one timeout now and then rather than one per request; the first failure of each such spell is logged. Calls
/// that run past the timeout go on in the background (a Redis client cannot abandon a sent command), their outcome
/// observed and dropped.
/// </summary>
internal sealed class BoundedDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _retryDelay;
    private readonly int _maxPendingWrites;
    private readonly TimeProvider _time;
    private readonly CacheMetrics _metrics;
    private readonly ILogger _logger;
    private long _retryAt = long.MinValue;
    private int _pendingWrites;

    public BoundedDistributedCache(IDistributedCache inner, ResponseCacheOptions options, TimeProvider time, CacheMetrics metrics, ILogger logger)
    {
        _inner = inner;
        _timeout = options.DistributedTimeout;
        _retryDelay = options.DistributedRetryDelay;
        _maxPendingWrites = options.MaxPendingDistributedWrites;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Writes started by <see cref="TrySetInBackground"/> that have not ended.</summary>
    public int PendingWrites => Volatile.Read(ref _pendingWrites);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        if (Skipping("get"))
        {
            return null;
        }

        Task<byte[]?> running;
        try
        {
            running = _inner.GetAsync(key, token);
        }
        catch (Exception ex)
        {
            Failed("get", "error", ex);
            return null;
        }

        return await BoundAsync("get", running, token).ConfigureAwait(false) ? running.Result : null;
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        if (Skipping("set"))
        {
            return;
        }

        Task running;
        try
        {
            running = _inner.SetAsync(key, value, options, token);
        }
        catch (Exception ex)
        {
            Failed("set", "error", ex);
            return;
        }

        await BoundAsync("set", running, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts writing <paramref name="value"/> without anyone waiting for it: a request never waits for its answer to
    /// reach the distributed cache. Writes beyond the pending limit are dropped (counted as skipped).
    /// </summary>
    public void TrySetInBackground(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        if (Interlocked.Increment(ref _pendingWrites) > _maxPendingWrites)
        {
            Interlocked.Decrement(ref _pendingWrites);
            _metrics.DistributedFailed("set", "skipped");
            return;
        }

        _ = WriteAsync(key, value, options);
    }

    private async Task WriteAsync(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        try
        {
            // Off the request's thread: a client that writes synchronously before its first await must not delay the answer.
            await Task.Yield();
            await SetAsync(key, value, options).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingWrites);
        }
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        if (!Skipping("refresh"))
        {
            await BoundAsync("refresh", Start(() => _inner.RefreshAsync(key, token)), token).ConfigureAwait(false);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        if (!Skipping("remove"))
        {
            await BoundAsync("remove", Start(() => _inner.RemoveAsync(key, token)), token).ConfigureAwait(false);
        }
    }

    // The synchronous members are bounded the same way; the engine itself only uses the asynchronous ones.
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <summary>True (and counted) while a recent failure keeps the cache out of use.</summary>
    private bool Skipping(string operation)
    {
        if (_time.GetTimestamp() >= Volatile.Read(ref _retryAt))
        {
            return false;
        }

        _metrics.DistributedFailed(operation, "skipped");
        return true;
    }

    // A client that throws instead of returning a faulted task fails the same way.
    private static Task Start(Func<Task> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>Waits for <paramref name="running"/> within the timeout: true when it succeeded in time.</summary>
    private async Task<bool> BoundAsync(string operation, Task running, CancellationToken token)
    {
        try
        {
            await running.WaitAsync(_timeout, _time, token).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Abandon(running);
            Failed(operation, "timeout", null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The caller gave up: not the cache's fault, so nothing is counted and the cache stays in use.
            Abandon(running);
        }
        catch (Exception ex)
        {
            Failed(operation, "error", ex);
        }

        return false;
    }

    private void Failed(string operation, string reason, Exception? exception)
    {
        _metrics.DistributedFailed(operation, reason);
        var now = _time.GetTimestamp();
        var retryAt = now + (long)(_retryDelay.TotalSeconds * _time.TimestampFrequency);
        // Logged once per spell of failures: the first failure after the cache was in use again.
        if (Interlocked.Exchange(ref _retryAt, retryAt) <= now)
        {
            CacheLog.DistributedCacheFailed(_logger, operation, reason, _timeout.TotalMilliseconds, _retryDelay.TotalMilliseconds, exception);
        }
    }

    private static void Abandon(Task running) =>
        running.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
