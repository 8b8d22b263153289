namespace Augur.Scheduling;

/// <summary>
/// How long a batch waits for peers when config.json does not say (no <c>max_queue_delay_microseconds</c>, no
/// <c>preferred_batch_size</c>): chosen from the model's learned cost curve (<see cref="BatchCostModel"/>) and its
/// measured arrivals (<see cref="ArrivalMeter"/>), and kept within the latency objective.
/// <para>The rules, each of which can only shorten the wait:</para>
/// <list type="number">
/// <item>The <see cref="Target"/> size is where the fixed part of a batch's cost falls to a fifth of it: beyond it
/// a larger batch saves little per sample. It is at most the batch size whose compute fits half the objective (a
/// request may wait for one batch and then run in the next), and the batch size limit.</item>
/// <item>A batch that reached the target leaves.</item>
/// <item>A batch leaves at once when waiting cannot raise throughput: the model has no fixed cost to spread (the
/// target is 1), or the load is light (run one request at a time, the instances would be busy less than half the
/// time), or the next sample is not expected before the wait ends (too few arrivals, or a closed loop whose next
/// request comes only after this answer).</item>
/// <item>Otherwise the oldest request waits at most one target batch's compute time, so it still meets the objective.</item>
/// <item>When a held batch's oldest request still misses the objective, the target shrinks by a tenth (and regrows
/// by a hundredth of it per batch on time), so the wait backs off when the machine is slower than the curve says.</item>
/// </list>
/// Not thread-safe; the batcher holds its lock.
/// </summary>
internal sealed class AutoBatchWait
{
    /// <summary>The latency objective assumed when the model sets none.</summary>
    public static readonly TimeSpan DefaultObjective = TimeSpan.FromMilliseconds(15);

    /// <summary>The share of a batch's compute that its fixed part may keep at the target size.</summary>
    public const double FixedShare = 0.2;

    /// <summary>The instance load, running each request alone, below which nothing waits.</summary>
    public const double LoadToWait = 0.5;

    private readonly BatchCostModel _cost;
    private readonly ArrivalMeter _arrivals;
    private readonly long _objective;
    private readonly double _ticksPerSecond;
    private double _scale = 1;

    public AutoBatchWait(BatchCostModel cost, ArrivalMeter arrivals, TimeSpan objective, Timestamps time)
    {
        _cost = cost;
        _arrivals = arrivals;
        _objective = time.ToTicks(objective);
        _ticksPerSecond = time.ToTicks(TimeSpan.FromSeconds(1));
    }

    /// <summary>How many times a held batch missed the objective.</summary>
    public long Misses { get; private set; }

    /// <summary>The batch size worth waiting for, at most <paramref name="limit"/>; 1 when waiting cannot help.</summary>
    public int Target(int limit)
    {
        if (!_cost.IsKnown || _cost.FixedTicks <= 0 || limit <= 1)
        {
            return 1;
        }

        var fixedCost = _cost.FixedTicks;
        var perRow = _cost.PerRowTicks;
        // The epsilons absorb the fit's rounding, so that a curve of exactly 1 ms + 0.1 ms per sample gives 40, not 41.
        var knee = perRow <= 0 ? limit : Math.Ceiling((fixedCost * (1 - FixedShare) / (FixedShare * perRow)) - 1e-6);
        var withinBudget = perRow <= 0 ? limit : Math.Floor((((_objective / 2.0) - fixedCost) / perRow) + 1e-6);
        var target = Math.Min(Math.Min(knee, withinBudget), limit) * _scale;
        return (int)Math.Clamp(Math.Floor(target + 1e-6), 1, limit);
    }

    /// <summary>
    /// Whether a batch of <paramref name="rows"/> samples whose oldest request arrived at <paramref name="oldest"/>
    /// should wait for peers: the time to look again, or null to send it now with <paramref name="reason"/>.
    /// </summary>
    public long? WaitUntil(int rows, int limit, long oldest, long now, int instances, out DispatchReason reason)
    {
        var target = Target(limit);
        reason = DispatchReason.Immediate;
        if (rows >= target)
        {
            reason = target > 1 ? DispatchReason.Target : DispatchReason.Immediate;
            return null;
        }

        var rate = _arrivals.RowsPerSecond(now);
        var aloneLoad = rate * _cost.Predict(1) / _ticksPerSecond / Math.Max(1, instances);
        if (aloneLoad < LoadToWait)
        {
            return null;
        }

        var waitEnd = oldest + _cost.Predict(target);
        if (now >= waitEnd)
        {
            reason = DispatchReason.Waited;
            return null;
        }

        var expected = rate * _arrivals.ArrivingWhileBusy * (waitEnd - now) / _ticksPerSecond;
        if (expected >= 1)
        {
            return waitEnd;
        }

        // No further sample is due before the wait would end: a batch that has waited already leaves as one that waited.
        reason = now > oldest ? DispatchReason.Waited : DispatchReason.Immediate;
        return null;
    }

    /// <summary>A batch that waited for peers finished; its oldest request took <paramref name="latency"/> ticks from arrival.</summary>
    public void Finished(long latency)
    {
        if (latency > _objective)
        {
            Misses++;
            _scale = Math.Max(0.05, _scale * 0.9);
        }
        else
        {
            _scale = Math.Min(1, _scale + 0.01);
        }
    }
}
