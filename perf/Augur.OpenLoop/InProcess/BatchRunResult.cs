using System.Globalization;

namespace Augur.OpenLoop.InProcess;

/// <summary>A batched in-process run: requests that completed inside the measured window, and their latencies.</summary>
internal sealed record BatchRunResult(int Batch, int Concurrency, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, string? FirstError)
{
    public double SamplesPerSecond => RequestsPerSecond * Batch;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"batch={Batch} concurrency={Concurrency} samples_per_s={SamplesPerSecond:0} requests_per_s={RequestsPerSecond:0.0} p50_batch_ms={P50Ms:0.000} p99_batch_ms={P99Ms:0.000} errors={Errors}");
}
