namespace Augur.Bench.Scenarios;

/// <summary>
/// Finds the highest Server QPS whose run meets the latency bound with no errors: start at <c>startQps</c> and double
/// while runs pass, then bisect between the last pass and the first failure until they are within 5% of each other.
/// A rate that fails is run once more before it counts as a failure: one noisy run (a GC pause, a neighbour on a shared
/// machine, a server still warming up) would otherwise end the doubling early and send the whole search below it.
/// </summary>
public sealed class PeakSearch(Func<double, Task<RunResult>> run, double boundMs, double startQps = 100)
{
    private const double CeilingQps = 10_000_000;
    private const double Tolerance = 0.05;

    /// <summary>Every run, in the order they ran.</summary>
    public List<RunResult> Steps { get; } = [];

    /// <summary>Called after each step.</summary>
    public Action<RunResult, bool>? OnStep { get; init; }

    /// <summary>The highest passing QPS (0 when none passed) and its run.</summary>
    public async Task<(double PeakQps, RunResult? Best)> RunAsync()
    {
        var (pass, best) = (0.0, (RunResult?)null);
        var fail = 0.0;
        for (var qps = startQps; qps <= CeilingQps; qps *= 2)
        {
            var (passed, result) = await TryRateAsync(qps).ConfigureAwait(false);
            if (!passed)
            {
                fail = qps;
                break;
            }

            (pass, best) = (qps, result);
        }

        if (fail == 0)
        {
            return (pass, best);
        }

        while (fail - pass > Math.Max(1, pass * Tolerance))
        {
            var qps = Math.Round(pass + ((fail - pass) / 2));
            var (passed, result) = await TryRateAsync(qps).ConfigureAwait(false);
            if (passed)
            {
                (pass, best) = (qps, result);
            }
            else
            {
                fail = qps;
            }
        }

        return (pass, best);
    }

    private async Task<(bool Passed, RunResult Result)> TryRateAsync(double qps)
    {
        var result = await StepAsync(qps).ConfigureAwait(false);
        if (!result.MeetsBound(boundMs))
        {
            result = await StepAsync(qps).ConfigureAwait(false);
        }

        return (result.MeetsBound(boundMs), result);
    }

    private async Task<RunResult> StepAsync(double qps)
    {
        var result = await run(qps).ConfigureAwait(false);
        Steps.Add(result);
        OnStep?.Invoke(result, result.MeetsBound(boundMs));
        return result;
    }
}
