using System.Diagnostics;
using HdrHistogram;

namespace Augur.OpenLoop.Http;

/// <summary>
/// One open-loop run: Poisson arrivals at a target rate for a warm-up and then a measured window. Each request is sent
/// at its scheduled time whether or not earlier ones have answered, and its latency is measured from that scheduled
/// time, so a slow server (or a late sender) shows up as latency instead of as fewer requests (no coordinated omission).
/// </summary>
internal sealed class OpenLoopRun
{
    private readonly HttpTarget _target;
    private readonly double _qps;
    private readonly TimeSpan _warmup;
    private readonly TimeSpan _duration;
    private readonly int _seed;
    private readonly int _maxOutstanding;
    private readonly CancellationToken _cancellationToken;
    private readonly LongConcurrentHistogram _latencies = Latency.CreateConcurrentHistogram();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _measureStart;
    private long _measureEnd;
    private long _ok;
    private long _okInWindow;
    private long _errors;
    private string? _firstError;
    private int _outstanding;

    // The dispatcher holds one count until it has scheduled its last request; each request holds one until it is recorded.
    private int _pending = 1;

    public OpenLoopRun(HttpTarget target, double qps, TimeSpan warmup, TimeSpan duration, int seed, int maxOutstanding, CancellationToken cancellationToken)
    {
        _target = target;
        _qps = qps;
        _warmup = warmup;
        _duration = duration;
        _seed = seed;
        _maxOutstanding = maxOutstanding;
        _cancellationToken = cancellationToken;
    }

    public async Task<RunResult> ExecuteAsync()
    {
        var start = Stopwatch.GetTimestamp();
        _measureStart = start + Latency.Ticks(_warmup);
        _measureEnd = _measureStart + Latency.Ticks(_duration);

        // A dedicated thread keeps the schedule when the thread pool is busy with responses.
        var dispatcher = new Thread(() => Dispatch(start)) { IsBackground = true, Name = "open-loop dispatcher" };
        dispatcher.Start();
        await _drained.Task.ConfigureAwait(false);
        return new RunResult(
            _qps,
            Interlocked.Read(ref _okInWindow) / _duration.TotalSeconds,
            Latency.PercentileMs(_latencies, 50),
            Latency.PercentileMs(_latencies, 90),
            Latency.PercentileMs(_latencies, 99),
            Latency.PercentileMs(_latencies, 99.9),
            Interlocked.Read(ref _ok),
            Interlocked.Read(ref _errors),
            Volatile.Read(ref _firstError));
    }

    private void Dispatch(long start)
    {
        PreciseSleep.MinimizeTimerSlack();
        var arrivals = new PoissonArrivals(start, _qps, _seed);
        for (var scheduled = arrivals.Next(); scheduled < _measureEnd && !_cancellationToken.IsCancellationRequested; scheduled = arrivals.Next())
        {
            PreciseSleep.Until(scheduled);
            Interlocked.Increment(ref _pending);
            if (Interlocked.Increment(ref _outstanding) > _maxOutstanding)
            {
                Interlocked.Decrement(ref _outstanding);
                Complete(scheduled, Stopwatch.GetTimestamp(), $"not sent: more than {_maxOutstanding} requests outstanding");
                continue;
            }

            // Sending on the thread pool keeps the dispatcher's own work per request to a queue operation.
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Run.SendAsync(state.Scheduled), (Run: this, Scheduled: scheduled), preferLocal: false);
        }

        Release();
    }

    private async Task SendAsync(long scheduled)
    {
        string? error;
        try
        {
            error = await _target.SendAsync(_cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever happens, the request is recorded and released, so the run still ends.
            error = ex.ToString();
        }

        var completed = Stopwatch.GetTimestamp();
        Interlocked.Decrement(ref _outstanding);
        Complete(scheduled, completed, error);
    }

    private void Complete(long scheduled, long completed, string? error)
    {
        if (error is null && completed >= _measureStart && completed < _measureEnd)
        {
            Interlocked.Increment(ref _okInWindow);
        }

        // The dispatcher schedules nothing at or after the window's end, so this is "scheduled inside the window".
        if (scheduled >= _measureStart)
        {
            if (error is null)
            {
                Interlocked.Increment(ref _ok);
                _latencies.RecordValue(Latency.Microseconds(scheduled, completed));
            }
            else
            {
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, error, null);
            }
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
