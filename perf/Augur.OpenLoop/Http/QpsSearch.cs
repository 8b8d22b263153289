namespace Augur.OpenLoop.Http;

/// <summary>
/// Finds the highest rate whose run passes (p99 within the limit and no errors): start at 100 QPS and double while
/// runs pass, then bisect between the last pass and the first failure until they are within 5% of each other.
/// </summary>
internal sealed class QpsSearch(Func<int, Task<RunResult>> run, double maxP99Ms, TextWriter output)
{
    private const int StartQps = 100;
    private const int CeilingQps = 1_000_000;
    private const double Tolerance = 0.05;

    /// <summary>The highest passing rate (0 when none passed) and its run.</summary>
    public async Task<(int MaxQps, RunResult? Best)> RunAsync()
    {
        var (pass, best) = (0, (RunResult?)null);
        var fail = 0;
        for (var qps = StartQps; qps <= CeilingQps; qps *= 2)
        {
            var result = await StepAsync(qps).ConfigureAwait(false);
            if (!result.Passes(maxP99Ms))
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
            var qps = pass + ((fail - pass) / 2);
            var result = await StepAsync(qps).ConfigureAwait(false);
            if (result.Passes(maxP99Ms))
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

    private async Task<RunResult> StepAsync(int qps)
    {
        var result = await run(qps).ConfigureAwait(false);
        await output.WriteLineAsync($"{result} {(result.Passes(maxP99Ms) ? "pass" : "fail")}").ConfigureAwait(false);
        return result;
    }
}
