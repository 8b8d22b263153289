using Augur.Bench.Targets;
using Augur.Bench.Timing;

namespace Augur.Bench.Scenarios;

/// <summary>
/// An open-loop run (Server, Streams): a dispatcher sends each query when its schedule says, to the target of the
/// stream it belongs to, without waiting for earlier answers; each query is recorded from its scheduled time. The run
/// is drained when the dispatcher has scheduled its last query and every query has been recorded.
/// </summary>
internal sealed class OpenLoopRun(
    IBenchClock clock, IReadOnlyList<ILoadTarget> targets, LatencyRecorder recorder, ScenarioSettings settings, long windowStart, CancellationToken cancellationToken)
{
    private readonly TaskCompletionSource _drained = new();
    private int _outstanding;

    // The dispatcher holds one count until it has scheduled its last query; each query holds one until it is recorded.
    private int _pending = 1;
    private long _scheduledInWindow;

    public Task Drained => _drained.Task;

    /// <summary>Sends queries on <paramref name="next"/>'s schedule until <paramref name="windowEnd"/> (and the minimum query count).</summary>
    public async Task DispatchAsync(Func<(long Time, int Stream)> next, long windowEnd)
    {
        for (var (scheduled, stream) = next();
             !cancellationToken.IsCancellationRequested && (scheduled < windowEnd || _scheduledInWindow < settings.MinQueryCount);
             (scheduled, stream) = next())
        {
            await clock.WaitUntilAsync(scheduled, cancellationToken).ConfigureAwait(false);
            if (scheduled >= windowStart)
            {
                _scheduledInWindow++;
            }

            Interlocked.Increment(ref _pending);
            if (Interlocked.Increment(ref _outstanding) > settings.MaxOutstanding)
            {
                Interlocked.Decrement(ref _outstanding);
                Complete(scheduled, clock.Now, QueryOutcome.Failed(StatusClasses.NotSent, $"not sent: more than {settings.MaxOutstanding} queries outstanding"));
                continue;
            }

            clock.Fork(static state => state.Run.SendAsync(state.Target, state.Scheduled), (Run: this, Target: targets[stream], Scheduled: scheduled));
        }

        Release();
    }

    private async Task SendAsync(ILoadTarget target, long scheduled)
    {
        if (scheduled >= windowStart)
        {
            recorder.RecordSendLag(scheduled, clock.Now);
        }

        QueryOutcome outcome;
        try
        {
            outcome = await target.IssueAsync(settings.SamplesPerQuery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever happens, the query is recorded and released, so the run still ends.
            outcome = QueryOutcome.Failure(ex.ToString());
        }

        var completed = clock.Now;
        Interlocked.Decrement(ref _outstanding);
        Complete(scheduled, completed, outcome);
    }

    private void Complete(long scheduled, long completed, QueryOutcome outcome)
    {
        if (scheduled >= windowStart)
        {
            recorder.Record(scheduled, completed, settings.SamplesPerQuery, outcome);
        }

        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _drained.TrySetResult();
        }
    }
}
