using System.Diagnostics;
using Augur.Inference;
using HdrHistogram;

namespace Augur.OpenLoop.InProcess;

/// <summary>
/// The in-process throughput ceiling: <c>concurrency</c> loops, each on its own thread-pool task, calling
/// <see cref="InferenceEngine.TryInferAsync"/> back to back. Only calls that complete inside the measured window
/// (after the warm-up) count, so the rate is what the engine sustains, not what it started.
/// </summary>
internal sealed class BatchLoadRun(InferenceEngine engine, InferenceRequest request, int batch, int concurrency, TimeSpan warmup, TimeSpan duration)
{
    public async Task<BatchRunResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        var measureStart = Stopwatch.GetTimestamp() + Latency.Ticks(warmup);
        var measureEnd = measureStart + Latency.Ticks(duration);
        var loops = new Task<LoopResult>[concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(() => LoopAsync(measureStart, measureEnd, cancellationToken), cancellationToken);
        }

        var results = await Task.WhenAll(loops).ConfigureAwait(false);
        var latencies = Latency.CreateHistogram();
        foreach (var result in results)
        {
            latencies.Add(result.Latencies);
        }

        return new BatchRunResult(
            batch,
            concurrency,
            results.Sum(r => r.Completed) / duration.TotalSeconds,
            Latency.PercentileMs(latencies, 50),
            Latency.PercentileMs(latencies, 99),
            results.Sum(r => r.Errors),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    private async Task<LoopResult> LoopAsync(long measureStart, long measureEnd, CancellationToken cancellationToken)
    {
        var loop = new LoopResult(Latency.CreateHistogram());
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await engine.TryInferAsync(request, cancellationToken).ConfigureAwait(false);
            var finished = Stopwatch.GetTimestamp();
            if (finished >= measureEnd)
            {
                break;
            }

            if (finished < measureStart)
            {
                continue;
            }

            if (result.IsSuccess)
            {
                loop.Completed++;
                loop.Latencies.RecordValue(Latency.Microseconds(started, finished));
            }
            else
            {
                loop.Errors++;
                loop.FirstError ??= result.Error.ToString();
            }
        }

        return loop;
    }

    private sealed class LoopResult(LongHistogram latencies)
    {
        public LongHistogram Latencies { get; } = latencies;

        public long Completed { get; set; }

        public long Errors { get; set; }

        public string? FirstError { get; set; }
    }
}
