using Augur.Models;

namespace Augur.Scheduling;

/// <summary>
/// The batch size limit of a model with a latency objective, adapted as Clipper does: additive increase while
/// batches finish within the compute budget, multiplicative decrease when they do not.
/// <para>
/// The budget is half the objective: under load a request waits for at most the batch running ahead of it and then
/// runs in its own, so two batch times must fit in the objective. The objective's percentile sets how many
/// over-budget batches a window of recent batches may hold (1 in 100 for p99) before the limit drops, so a single
/// slow batch (a GC pause, a noisy neighbour) does not cut it. Only batches that reached the limit count.
/// </para>
/// </summary>
internal sealed class AdaptiveBatchLimit
{
    /// <summary>The multiplicative decrease; Clipper backs off by 10%.</summary>
    public const double Backoff = 0.9;

    private readonly object _gate = new();
    private readonly int _maxBatchSize;
    private readonly bool[] _window;
    private readonly int _allowedOver;
    private int _next;
    private int _filled;
    private int _over;
    private int _limit = 1;
    private int _cutFrom = int.MaxValue;

    public AdaptiveBatchLimit(LatencyObjective objective, int maxBatchSize)
    {
        _maxBatchSize = maxBatchSize;
        Budget = objective.Latency / 2;
        var tail = (100 - objective.Percentile) / 100;
        var size = tail <= 0 ? 1000 : (int)Math.Clamp(Math.Ceiling(1 / tail), 100, 1000);
        _window = new bool[size];
        // The epsilon absorbs binary rounding: (100 - 99.9) / 100 * 1000 is 0.99999..., and p99.9 must allow one.
        _allowedOver = (int)Math.Floor((size * tail) + 1e-9);
    }

    /// <summary>The compute time a batch should stay within.</summary>
    public TimeSpan Budget { get; }

    /// <summary>The most samples the next batch may hold; starts at 1.</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>How many times the limit was cut.</summary>
    public int Decreases { get; private set; }

    /// <summary>Feeds one finished batch of <paramref name="rows"/> samples that computed for <paramref name="compute"/>.</summary>
    public void Observe(int rows, TimeSpan compute)
    {
        lock (_gate)
        {
            // A batch below the limit that runs long says nothing about the limit (another process took the core, the
            // memory bus was busy); counting it would shrink batches exactly when the machine is loaded and larger
            // batches are the cheaper way through the queue.
            var over = compute > Budget && rows >= _limit;
            Record(over);
            if (_over > _allowedOver)
            {
                _cutFrom = _limit;
                Volatile.Write(ref _limit, Math.Max(1, (int)(_limit * Backoff)));
                Decreases++;
                Array.Clear(_window);
                _filled = _over = _next = 0;
            }
            else if (!over && rows >= _limit && _limit < _maxBatchSize && (_limit + 1 < _cutFrom || _filled == _window.Length))
            {
                // Only a batch that was held back by the limit says the limit could grow. Growing back to the size that
                // was just cut waits for a whole window within budget: probing it at once would spend the window's
                // allowance of slow batches on every cycle (half the batches over budget when the limit is small).
                Volatile.Write(ref _limit, _limit + 1);
            }
        }
    }

    private void Record(bool over)
    {
        if (_filled == _window.Length && _window[_next])
        {
            _over--;
        }

        _window[_next] = over;
        _over += over ? 1 : 0;
        _next = (_next + 1) % _window.Length;
        _filled = Math.Min(_filled + 1, _window.Length);
    }
}
