using Augur.Bench.Targets;
using Augur.Bench.Timing;

namespace Augur.Bench.Scenarios;

/// <summary>
/// Runs one scenario against a target, as LoadGen defines it. A measured window ends once it has lasted
/// <see cref="ScenarioSettings.MinDuration"/> and holds <see cref="ScenarioSettings.MinQueryCount"/> queries.
/// </summary>
public sealed class ScenarioRunner(IBenchClock clock)
{
    /// <summary>Queries recorded so far in the current run's measured window, for a live progress display.</summary>
    public long RecordedQueries => Volatile.Read(ref _recorder)?.Queries ?? 0;

    private LatencyRecorder? _recorder;

    /// <summary>Runs <paramref name="settings"/> against <paramref name="target"/>.</summary>
    public Task<RunResult> RunAsync(ScenarioSettings settings, ILoadTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(target);
        var recorder = new LatencyRecorder(clock.Frequency);
        Volatile.Write(ref _recorder, recorder);
        return settings.Scenario switch
        {
            Scenario.Server => RunServerAsync(settings, target, recorder, cancellationToken),
            Scenario.Offline => RunOfflineAsync(settings, target, recorder, cancellationToken),
            _ => RunStreamAsync(settings, target, recorder, cancellationToken),
        };
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * clock.Frequency);

    /// <summary>SingleStream and MultiStream: one query at a time, the next issued when the previous completes.</summary>
    private async Task<RunResult> RunStreamAsync(ScenarioSettings settings, ILoadTarget target, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var windowStart = clock.Now + Ticks(settings.Warmup);
        var windowEnd = windowStart + Ticks(settings.MinDuration);
        await ClosedLoopAsync(settings, target, recorder, windowStart, windowEnd, cancellationToken).ConfigureAwait(false);
        return recorder.ToResult(settings.Scenario, null, windowStart, windowEnd);
    }

    /// <summary>Offline: every sample is available at once; <see cref="ScenarioSettings.OfflineConcurrency"/> queries stay in flight.</summary>
    private async Task<RunResult> RunOfflineAsync(ScenarioSettings settings, ILoadTarget target, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var windowStart = clock.Now + Ticks(settings.Warmup);
        var windowEnd = windowStart + Ticks(settings.MinDuration);
        var loops = new Task[settings.OfflineConcurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = clock.StartLoopAsync(() => ClosedLoopAsync(settings, target, recorder, windowStart, windowEnd, cancellationToken));
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        return recorder.ToResult(settings.Scenario, null, windowStart, windowEnd);
    }

    private async Task ClosedLoopAsync(
        ScenarioSettings settings, ILoadTarget target, LatencyRecorder recorder, long windowStart, long windowEnd, CancellationToken cancellationToken)
    {
        var samples = settings.SamplesPerQuery;
        while (!cancellationToken.IsCancellationRequested)
        {
            var issued = clock.Now;
            if (issued >= windowEnd && recorder.Queries >= settings.MinQueryCount)
            {
                return;
            }

            string? error;
            try
            {
                error = await target.IssueAsync(samples, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = ex.ToString();
            }

            if (issued >= windowStart)
            {
                recorder.Record(issued, clock.Now, samples, error);
            }
        }
    }

    /// <summary>
    /// Server: queries arrive on a Poisson schedule whether or not earlier ones have answered, and each query's latency
    /// runs from its scheduled time, so a stalled target (or a late sender) shows up as latency, not as fewer queries.
    /// </summary>
    private async Task<RunResult> RunServerAsync(ScenarioSettings settings, ILoadTarget target, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var start = clock.Now;
        var windowStart = start + Ticks(settings.Warmup);
        var windowEnd = windowStart + Ticks(settings.MinDuration);
        var run = new ServerRun(clock, target, recorder, settings, windowStart, cancellationToken);
        await clock.RunDispatcherAsync(() => run.DispatchAsync(start, windowEnd)).ConfigureAwait(false);
        await run.Drained.ConfigureAwait(false);
        return recorder.ToResult(settings.Scenario, settings.TargetQps, windowStart, windowEnd);
    }

    private sealed class ServerRun(
        IBenchClock clock, ILoadTarget target, LatencyRecorder recorder, ScenarioSettings settings, long windowStart, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _drained = new();
        private int _outstanding;

        // The dispatcher holds one count until it has scheduled its last query; each query holds one until it is recorded.
        private int _pending = 1;
        private long _scheduledInWindow;

        public Task Drained => _drained.Task;

        public async Task DispatchAsync(long start, long windowEnd)
        {
            var arrivals = new PoissonArrivals(start, settings.TargetQps, settings.Seed, clock.Frequency);
            for (var scheduled = arrivals.Next();
                 !cancellationToken.IsCancellationRequested && (scheduled < windowEnd || _scheduledInWindow < settings.MinQueryCount);
                 scheduled = arrivals.Next())
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
                    Complete(scheduled, clock.Now, $"not sent: more than {settings.MaxOutstanding} queries outstanding");
                    continue;
                }

                clock.Fork(static state => state.Run.SendAsync(state.Scheduled), (Run: this, Scheduled: scheduled));
            }

            Release();
        }

        private async Task SendAsync(long scheduled)
        {
            if (scheduled >= windowStart)
            {
                recorder.RecordSendLag(scheduled, clock.Now);
            }

            string? error;
            try
            {
                error = await target.IssueAsync(settings.SamplesPerQuery, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Whatever happens, the query is recorded and released, so the run still ends.
                error = ex.ToString();
            }

            var completed = clock.Now;
            Interlocked.Decrement(ref _outstanding);
            Complete(scheduled, completed, error);
        }

        private void Complete(long scheduled, long completed, string? error)
        {
            if (scheduled >= windowStart)
            {
                recorder.Record(scheduled, completed, settings.SamplesPerQuery, error);
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _drained.TrySetResult();
            }
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _drained.TrySetResult();
            }
        }
    }
}
