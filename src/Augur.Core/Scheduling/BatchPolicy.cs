using Augur.Models;

namespace Augur.Scheduling;

/// <summary>
/// Decides, for one model version, which queued requests form the next batch and whether to send it now.
/// Requests are taken in service order (priority level, then arrival); one joins the batch only if its non-batch
/// dimensions equal the first one's, since a batch is one tensor per input. The batch is sent at once when it
/// reaches the size limit or a preferred size, when the oldest request has waited the max queue delay, or when a
/// request's deadline leaves no more time to wait; otherwise the policy says when to look again. Once the engine stops
/// waiting for peers (shutdown began), a batch that is not full leaves at once. Not thread-safe; the batcher holds its lock.
/// </summary>
internal sealed class BatchPolicy
{
    // Bounds the work done under the lock when many queued requests cannot join the head's batch.
    private const int ScanLimit = 1024;

    private readonly DynamicBatchingConfig _config;
    private readonly int _maxBatchSize;
    private readonly RowShapes _shapes;
    private readonly AdaptiveBatchLimit? _adaptive;
    private readonly AutoBatchWait? _auto;
    private readonly int _instances;
    private readonly Timestamps _time;
    private bool _waitsForPeers = true;

    public BatchPolicy(DynamicBatchingConfig config, int maxBatchSize, ModelSignature signature, AdaptiveBatchLimit? adaptive, AutoBatchWait? auto, int instances, Timestamps time)
    {
        _config = config;
        _maxBatchSize = maxBatchSize;
        _shapes = new RowShapes(signature);
        _adaptive = adaptive;
        _auto = auto;
        _instances = instances;
        _time = time;
    }

    /// <summary>True when requests are grouped; otherwise each runs alone.</summary>
    public bool Batches => _config.Enabled && _maxBatchSize > 0;

    /// <summary>The most samples a batch may hold now.</summary>
    public int RowLimit => _adaptive?.Limit ?? _maxBatchSize;

    /// <summary>False once <see cref="StopWaitingForPeers"/> was called.</summary>
    public bool WaitsForPeers => _waitsForPeers;

    /// <summary>From now on a batch leaves as soon as an instance can take it, without waiting out the max queue delay.</summary>
    public void StopWaitingForPeers() => _waitsForPeers = false;

    /// <summary>
    /// Fills <paramref name="batch"/> with the requests to send now and returns why, or returns null with
    /// <paramref name="wakeAt"/> set to when the decision may change (<see cref="long.MaxValue"/> for never).
    /// <paramref name="predictedCompute"/> is how long a batch is expected to run, in timestamp ticks. Requests
    /// whose queue timeout has passed are never taken; they are added to <paramref name="expired"/> for the caller
    /// to fail (their own timer may run late).
    /// </summary>
    public DispatchReason? Decide(RequestQueue queue, long now, long predictedCompute, List<PendingRequest> batch, List<PendingRequest> expired, out long wakeAt)
    {
        batch.Clear();
        wakeAt = long.MaxValue;
        if (queue.Count == 0)
        {
            return null;
        }

        if (!Batches)
        {
            return First(queue, now, expired) is { } first ? Take(batch, first) : null;
        }

        var limit = RowLimit;
        var rows = 0;
        var oldest = long.MaxValue;
        var latestStart = long.MaxValue;
        var scanned = 0;
        for (var level = 0; level < queue.LevelCount && rows < limit && scanned < ScanLimit; level++)
        {
            for (var node = queue.Level(level).First; node is not null && rows < limit && scanned++ < ScanLimit; node = node.Next)
            {
                var request = node.Value;
                if (request.TimeoutAt < now)
                {
                    expired.Add(request);
                    continue;
                }

                if (batch.Count > 0 && (rows + request.Rows > limit || !_shapes.Compatible(batch[0].Request, request.Request)))
                {
                    continue;
                }

                // The first request always goes, even when it alone exceeds an adaptive limit: requests are never split.
                batch.Add(request);
                rows += request.Rows;
                oldest = Math.Min(oldest, request.Arrival);
                latestStart = Math.Min(latestStart, request.Deadline == long.MaxValue ? long.MaxValue : request.Deadline - predictedCompute);
            }
        }

        if (batch.Count == 0)
        {
            return null;
        }

        if (rows >= limit)
        {
            return DispatchReason.Full;
        }

        if (TrimToPreferred(batch))
        {
            return DispatchReason.Preferred;
        }

        if (_auto is not null)
        {
            return DecideAuto(rows, limit, oldest, latestStart, now, batch, out wakeAt);
        }

        if (_config.MaxQueueDelay <= TimeSpan.Zero)
        {
            return DispatchReason.Immediate;
        }

        var delayEnd = _time.Add(oldest, _config.MaxQueueDelay);
        if (now >= delayEnd)
        {
            return DispatchReason.Delay;
        }

        if (now >= latestStart)
        {
            return DispatchReason.Deadline;
        }

        if (!_waitsForPeers)
        {
            return DispatchReason.Shutdown;
        }

        batch.Clear();
        wakeAt = Math.Min(delayEnd, latestStart);
        return null;
    }

    /// <summary>The wait for peers chosen by <see cref="AutoBatchWait"/>, cut short by a deadline or by shutdown.</summary>
    private DispatchReason? DecideAuto(int rows, int limit, long oldest, long latestStart, long now, List<PendingRequest> batch, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        if (_auto!.WaitUntil(rows, limit, oldest, now, _instances, out var reason) is not { } waitEnd)
        {
            return reason;
        }

        if (now >= latestStart)
        {
            return DispatchReason.Deadline;
        }

        if (!_waitsForPeers)
        {
            return DispatchReason.Shutdown;
        }

        batch.Clear();
        wakeAt = Math.Min(waitEnd, latestStart);
        return null;
    }

    /// <summary>Keeps the longest prefix whose sample count is a preferred size; false when there is none.</summary>
    private bool TrimToPreferred(List<PendingRequest> batch)
    {
        var preferred = _config.PreferredBatchSizes;
        if (preferred.Count == 0)
        {
            return false;
        }

        var rows = 0;
        var keep = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            rows += batch[i].Rows;
            if (preferred.Contains(rows))
            {
                keep = i + 1;
            }
        }

        if (keep == 0)
        {
            return false;
        }

        batch.RemoveRange(keep, batch.Count - keep);
        return true;
    }

    private static DispatchReason Take(List<PendingRequest> batch, PendingRequest request)
    {
        batch.Add(request);
        return DispatchReason.Full;
    }

    private static PendingRequest? First(RequestQueue queue, long now, List<PendingRequest> expired)
    {
        for (var level = 0; level < queue.LevelCount; level++)
        {
            for (var node = queue.Level(level).First; node is not null; node = node.Next)
            {
                if (node.Value.TimeoutAt >= now)
                {
                    return node.Value;
                }

                expired.Add(node.Value);
            }
        }

        return null;
    }
}
