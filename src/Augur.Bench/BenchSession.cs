using Augur.Bench.Reporting;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;

namespace Augur.Bench;

/// <summary>
/// Runs the scenario of <c>augur bench</c> against one target: one run, or with <c>findPeak</c> a search for the
/// highest QPS (Server) or the most streams (Streams) whose p99 meets the bound.
/// </summary>
public sealed class BenchSession(IBenchClock clock, ScenarioSettings settings, bool findPeak)
{
    /// <summary>Runs in progress report here, for a live display.</summary>
    public ScenarioRunner Runner { get; } = new(clock);

    /// <summary>Streams with a peak search: the number of streams of the first step. Default 4.</summary>
    public int StartStreams { get; init; } = 4;

    /// <summary>Called after each run with its result (a peak search makes several).</summary>
    public Action<RunResult>? OnRun { get; init; }

    /// <summary>Runs against <paramref name="target"/>, named <paramref name="name"/> in the report.</summary>
    public async Task<BenchReport> RunAsync(string name, string model, ILoadTarget target, CancellationToken cancellationToken)
    {
        if (settings.Scenario == Scenario.Server && findPeak)
        {
            var search = new PeakSearch(
                qps => Runner.RunAsync(settings with { TargetQps = qps }, target, cancellationToken),
                settings.LatencyBound.TotalMilliseconds)
            {
                OnStep = (result, _) => OnRun?.Invoke(result),
            };
            var (peak, best) = await search.RunAsync().ConfigureAwait(false);
            return BenchReport.FromPeak(name, model, settings, peak, best, search.Steps);
        }

        if (settings.Scenario == Scenario.Streams && findPeak)
        {
            // The same search over the number of streams: double from StartStreams, then bisect to within 5%.
            var search = new PeakSearch(
                streams => Runner.RunAsync(settings with { Streams = (int)streams }, target, cancellationToken),
                settings.LatencyBound.TotalMilliseconds,
                StartStreams)
            {
                OnStep = (result, _) => OnRun?.Invoke(result),
            };
            var (peak, best) = await search.RunAsync().ConfigureAwait(false);
            return BenchReport.FromPeak(name, model, settings, peak, best, search.Steps);
        }

        var run = await Runner.RunAsync(settings, target, cancellationToken).ConfigureAwait(false);
        OnRun?.Invoke(run);
        return BenchReport.FromRun(name, model, settings, run);
    }
}
