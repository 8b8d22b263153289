using Augur.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// The rules of the wait the batcher chooses itself, on a fake clock. The model costs 1 ms + 0.1 ms per sample, so its
/// fixed part is a fifth of a batch at 0.8 / (0.2 × 0.1) = 40 samples, and under the default 15 ms objective a batch may
/// compute for 7.5 ms: (7.5 − 1) / 0.1 = 65 samples. The target is therefore 40 (below a limit of 64).
/// </summary>
public sealed class AutoBatchWaitTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Timestamps _time;
    private readonly BatchCostModel _cost = new();
    private readonly ArrivalMeter _arrivals;

    public AutoBatchWaitTests()
    {
        _time = new Timestamps(_clock);
        _arrivals = new ArrivalMeter(_time);
    }

    private long Ms(double ms) => _time.ToTicks(TimeSpan.FromMilliseconds(ms));

    private void Learn(double fixedMs, double perRowMs)
    {
        foreach (var rows in new[] { 1, 2, 4, 8, 3, 6 })
        {
            _cost.Observe(rows, Ms(fixedMs + (perRowMs * rows)));
        }
    }

    /// <summary>One sample every <paramref name="gapMs"/> for 200 ms, each arriving while requests are in flight or not.</summary>
    private void Arrive(double gapMs, bool whileBusy)
    {
        for (var t = 0.0; t < 200; t += gapMs)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(gapMs));
            _arrivals.Arrived(1, _time.Now, whileBusy);
        }
    }

    private AutoBatchWait Wait(double objectiveMs = 15) => new(_cost, _arrivals, TimeSpan.FromMilliseconds(objectiveMs), _time);

    [Fact]
    public void The_target_is_where_the_fixed_part_falls_to_a_fifth_of_the_batch()
    {
        Learn(1, 0.1);

        Assert.Equal(40, Wait().Target(64));
        Assert.Equal(32, Wait().Target(32));
    }

    [Fact]
    public void The_target_keeps_a_batch_within_half_the_objective()
    {
        Learn(1, 0.1);

        // An 8 ms objective leaves 4 ms per batch: (4 − 1) / 0.1 = 30 samples.
        Assert.Equal(30, Wait(objectiveMs: 8).Target(64));
    }

    [Fact]
    public void A_busy_open_stream_waits_for_peers_for_at_most_one_target_batch()
    {
        Learn(1, 0.1);
        Arrive(gapMs: 0.2, whileBusy: true);
        var oldest = _time.Now - Ms(1);

        var waitEnd = Wait().WaitUntil(rows: 5, limit: 64, oldest, _time.Now, instances: 1, out _);

        // t(40) = 5 ms after the oldest arrival.
        Assert.Equal(oldest + Ms(5), waitEnd);
    }

    [Fact]
    public void A_batch_that_reached_the_target_or_waited_its_time_leaves()
    {
        Learn(1, 0.1);
        Arrive(gapMs: 0.2, whileBusy: true);
        var wait = Wait();

        Assert.Null(wait.WaitUntil(rows: 40, limit: 64, _time.Now, _time.Now, instances: 1, out var full));
        Assert.Equal(DispatchReason.Target, full);
        Assert.Null(wait.WaitUntil(rows: 5, limit: 64, _time.Now - Ms(5), _time.Now, instances: 1, out var waited));
        Assert.Equal(DispatchReason.Waited, waited);
    }

    [Fact]
    public void Without_a_fixed_cost_waiting_cannot_help()
    {
        Learn(0, 0.1);
        Arrive(gapMs: 0.2, whileBusy: true);
        var wait = Wait();

        Assert.Equal(1, wait.Target(64));
        Assert.Null(wait.WaitUntil(rows: 1, limit: 64, _time.Now, _time.Now, instances: 1, out var reason));
        Assert.Equal(DispatchReason.Immediate, reason);
    }

    [Fact]
    public void A_light_load_does_not_wait()
    {
        Learn(1, 0.1);

        // 250 samples/s of 1.1 ms each keep one instance busy 27.5% of the time; two instances half that.
        Arrive(gapMs: 4, whileBusy: true);

        Assert.Null(Wait().WaitUntil(rows: 1, limit: 64, _time.Now, _time.Now, instances: 1, out _));
    }

    [Fact]
    public void A_closed_loop_whose_next_request_waits_for_the_answer_does_not_wait()
    {
        Learn(1, 0.1);

        // Fast enough to keep the instance busy, but every request arrives when nothing is in flight.
        Arrive(gapMs: 0.2, whileBusy: false);

        Assert.Null(Wait().WaitUntil(rows: 1, limit: 64, _time.Now, _time.Now, instances: 1, out _));
    }

    [Fact]
    public void An_unknown_curve_does_not_wait()
    {
        for (var i = 0; i < 10; i++)
        {
            _cost.Observe(1, Ms(1.1));
        }

        Arrive(gapMs: 0.2, whileBusy: true);

        Assert.Equal(1, Wait().Target(64));
    }

    [Fact]
    public void Missing_the_objective_shrinks_the_target_by_a_tenth_and_meeting_it_regrows_it()
    {
        Learn(1, 0.1);
        var wait = Wait();

        wait.Finished(Ms(16));
        Assert.Equal(36, wait.Target(64));
        wait.Finished(Ms(16));
        Assert.Equal(32, wait.Target(64));
        Assert.Equal(2, wait.Misses);

        for (var i = 0; i < 25; i++)
        {
            wait.Finished(Ms(10));
        }

        Assert.Equal(40, wait.Target(64));
    }
}
