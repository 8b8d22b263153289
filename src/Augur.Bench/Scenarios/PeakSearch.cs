namespace Augur.Bench.Scenarios;

/// <summary>
/// Finds the highest Server QPS whose run meets the latency bound with no errors: start at <c>startQps</c> and double
/// while runs pass, then bisect between the last pass and the first failure until they are within 5% of each other.
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
            var result = await StepAsync(qps).ConfigureAwait(false);
            if (!result.MeetsBound(boundMs))
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
            var result = await StepAsync(qps).ConfigureAwait(false);
            if (result.MeetsBound(boundMs))
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

    private async Task<RunResult> StepAsync(double qps)
    {
        var result = await run(qps).ConfigureAwait(false);
        Steps.Add(result);
        OnStep?.Invoke(result, result.MeetsBound(boundMs));
        return result;
    }
}
