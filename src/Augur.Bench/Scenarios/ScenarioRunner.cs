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
        // Server and Streams have a latency bound: their goodput within it is counted too.
        var bound = settings.Scenario is Scenario.Server or Scenario.Streams ? settings.LatencyBound : (TimeSpan?)null;
        var recorder = new LatencyRecorder(clock.Frequency, bound);
        Volatile.Write(ref _recorder, recorder);
        return settings.Scenario switch
        {
            Scenario.Server => RunServerAsync(settings, target, recorder, cancellationToken),
            Scenario.Offline => RunOfflineAsync(settings, target, recorder, cancellationToken),
            Scenario.Streams => RunStreamsAsync(settings, target, recorder, cancellationToken),
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

            QueryOutcome outcome;
            try
            {
                outcome = await target.IssueAsync(samples, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome = QueryOutcome.Failure(ex.ToString());
            }

            if (issued >= windowStart)
            {
                recorder.Record(issued, clock.Now, samples, outcome);
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
        var arrivals = new PoissonArrivals(start, settings.TargetQps, settings.Seed, clock.Frequency);
        var run = new OpenLoopRun(clock, [target], recorder, settings, windowStart, cancellationToken);
        await clock.RunDispatcherAsync(() => run.DispatchAsync(() => (arrivals.Next(), 0), windowEnd)).ConfigureAwait(false);
        await run.Drained.ConfigureAwait(false);
        return recorder.ToResult(settings.Scenario, settings.TargetQps, windowStart, windowEnd);
    }

    /// <summary>
    /// Streams: <see cref="ScenarioSettings.Streams"/> streams each send <see cref="ScenarioSettings.ReadingsPerSecond"/>
    /// readings per second, open loop like Server: a reading is sent when it is due whether or not the stream's earlier
    /// ones have answered, and its latency runs from that due time. Streams are opened before the run and closed after it.
    /// </summary>
    private async Task<RunResult> RunStreamsAsync(ScenarioSettings settings, ILoadTarget target, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var source = target as IStreamSource;
        var streams = source is null
            ? Enumerable.Repeat(target, settings.Streams).ToArray()
            : await source.OpenStreamsAsync(settings.Streams, settings.SamplesPerQuery, cancellationToken).ConfigureAwait(false);
        try
        {
            var start = clock.Now;
            var windowStart = start + Ticks(settings.Warmup);
            var windowEnd = windowStart + Ticks(settings.MinDuration);
            var schedule = new StreamArrivalSchedule(start, settings.Streams, settings.ReadingsPerSecond, settings.Arrivals, settings.Seed, clock.Frequency);
            var run = new OpenLoopRun(clock, streams, recorder, settings, windowStart, cancellationToken);
            await clock.RunDispatcherAsync(() => run.DispatchAsync(schedule.Next, windowEnd)).ConfigureAwait(false);
            await run.Drained.ConfigureAwait(false);
            return recorder.ToResult(settings.Scenario, settings.Streams * settings.ReadingsPerSecond, windowStart, windowEnd) with { Streams = settings.Streams };
        }
        finally
        {
            if (source is not null)
            {
                await source.CloseStreamsAsync(streams).ConfigureAwait(false);
            }
        }
    }
}
