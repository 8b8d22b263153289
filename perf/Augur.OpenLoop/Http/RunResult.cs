using System.Globalization;

namespace Augur.OpenLoop.Http;

/// <summary>
/// One open-loop run. Latencies (ms) are those of the requests scheduled in the measured window, from their scheduled
/// send time to the end of the response. <see cref="AchievedQps"/> counts successful responses that completed inside
/// the window, per second of window. <see cref="Errors"/> counts the window's requests that failed (non-2xx, transport
/// error, timeout, or never sent because too many were outstanding).
/// </summary>
internal sealed record RunResult(
    double TargetQps, double AchievedQps, double P50Ms, double P90Ms, double P99Ms, double P999Ms, long Ok, long Errors, string? FirstError)
{
    public bool Passes(double maxP99Ms) => Errors == 0 && Ok > 0 && P99Ms <= maxP99Ms;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"target_qps={TargetQps:0.##} achieved_qps={AchievedQps:0.0} p50_ms={P50Ms:0.000} p90_ms={P90Ms:0.000} p99_ms={P99Ms:0.000} p99.9_ms={P999Ms:0.000} errors={Errors}");
}
