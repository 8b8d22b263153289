using System.Threading.Channels;
using Augur.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Augur.Precomputed;

/// <summary>
/// One store, opened once for its source and shared by every model and version that names it: the store itself, the
/// queue of answers to write back (one writer drains it, so write-backs never delay a response and never pile up past
/// <see cref="QueueCapacity"/>), and whether the store is failing. A failing store is asked again only once per
/// <see cref="RetryInterval"/> (one request probes it; the others run the model at once instead of each waiting out
/// the timeout of a store that hangs), and the failure is logged once when it starts and once when the store answers
/// again, not once per request. Disposed with the engine: queued writes are finished (each within its timeout), then
/// the store is disposed.
/// </summary>
internal sealed class PrecomputedSource : IAsyncDisposable
{
    /// <summary>Write-backs waiting at most; more are dropped and counted (<c>reason=queue_full</c>).</summary>
    public const int QueueCapacity = 1024;

    /// <summary>How often a failing store is asked again: 1 s.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<PendingWrite> _writes = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly long _retryTicks;

    // While the store fails: the timestamp (of _time) from which it may be asked again; 0 while it answers.
    private long _retryAt;

    public PrecomputedSource(string display, IPrecomputedPredictions store, TimeProvider time, ILogger logger)
    {
        Display = display;
        Store = store;
        _time = time;
        _logger = logger;
        _retryTicks = (long)(RetryInterval.TotalSeconds * time.TimestampFrequency);
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>The source as logs show it (a URI's password hidden).</summary>
    public string Display { get; }

    public IPrecomputedPredictions Store { get; }

    /// <summary>Queues <paramref name="write"/>; false (counted) when the queue is full or the engine is stopping.</summary>
    public bool TryQueueWrite(PrecomputedWrite write, TimeSpan timeout, PrecomputedMetrics.Bound metrics)
    {
        if (_writes.Writer.TryWrite(new PendingWrite(write, timeout, metrics)))
        {
            return true;
        }

        metrics.StoreFailed("write", "queue_full");
        return false;
    }

    /// <summary>
    /// True when the store may be asked now: it answers, or it has failed and <see cref="RetryInterval"/> has passed since,
    /// in which case this caller is the one that probes it (the others are told no until the probe reports).
    /// </summary>
    public bool ShouldAsk()
    {
        var retryAt = Volatile.Read(ref _retryAt);
        if (retryAt == 0)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        return now >= retryAt && Interlocked.CompareExchange(ref _retryAt, now + _retryTicks, retryAt) == retryAt;
    }

    /// <summary>Records that a call failed; the first failure after a success is logged as a warning.</summary>
    public void Failed(string operation, string reason)
    {
        if (Interlocked.Exchange(ref _retryAt, Math.Max(1, _time.GetTimestamp() + _retryTicks)) == 0)
        {
            PrecomputedLog.StoreFailing(_logger, Display, operation, reason);
        }
        else
        {
            PrecomputedLog.StoreFailedAgain(_logger, Display, operation, reason);
        }
    }

    /// <summary>Records that a call succeeded; the first after failures is logged.</summary>
    public void Succeeded()
    {
        if (Volatile.Read(ref _retryAt) != 0 && Interlocked.Exchange(ref _retryAt, 0) != 0)
        {
            PrecomputedLog.StoreRecovered(_logger, Display);
        }
    }

    private async Task WriteAllAsync()
    {
        await foreach (var pending in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var (write, timeout, metrics) = pending;
            if (!ShouldAsk())
            {
                metrics.StoreFailed("write", "unavailable");
                continue;
            }

            using var stop = new CancellationTokenSource();
            Task? task = null;
            try
            {
                task = Store.WriteAsync(write, stop.Token).AsTask();
                await task.WaitAsync(timeout, _time).ConfigureAwait(false);
                metrics.Written();
                Succeeded();
            }
            catch (TimeoutException)
            {
                // The store may still finish the write; it is no longer waited for, so the next one can go.
                await stop.CancelAsync().ConfigureAwait(false);
                Abandon(task!);
                metrics.StoreFailed("write", "timeout");
                Failed("write", $"no answer within {timeout.TotalMilliseconds} ms");
            }
            catch (Exception ex)
            {
                metrics.StoreFailed("write", "error");
                Failed("write", ex.Message);
            }
        }
    }

    /// <summary>Stops waiting for <paramref name="task"/>: a failure it ends in later is observed, so it is not reported as unobserved.</summary>
    public static void Abandon(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    private readonly record struct PendingWrite(PrecomputedWrite Write, TimeSpan Timeout, PrecomputedMetrics.Bound Metrics);
}
