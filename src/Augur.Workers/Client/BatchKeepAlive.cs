using System.Globalization;

namespace Augur.Workers.Client;

/// <summary>
/// Checks that the worker still answers while a batch on its batch socket waits for its answer, as HTTP/2 pings do for a
/// gRPC call: once the batch has waited <see cref="WorkerClientOptions.KeepAlivePingDelay"/>, a Health call over gRPC
/// (which the worker answers without touching the model); one not answered within
/// <see cref="WorkerClientOptions.KeepAlivePingTimeout"/> aborts the wait, so a stopped or wedged worker fails the batch
/// instead of holding it. While the batch runs on, the check repeats after each delay. One timer, re-armed per batch.
/// </summary>
internal sealed class BatchKeepAlive : IDisposable
{
    private readonly Func<CancellationToken, Task> _check;
    private readonly TimeSpan _delay;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private Action<string>? _abort;
    private long _batch;

    public BatchKeepAlive(Func<CancellationToken, Task> check, TimeSpan delay, TimeSpan timeout, TimeProvider time)
    {
        _check = check;
        _delay = delay;
        _timeout = timeout;
        _time = time;
        _timer = time.CreateTimer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Called with whether the worker answered, after each check made for a batch still waiting, once the next check is
    /// armed or the wait aborted (a test's known point).
    /// </summary>
    internal Action<bool>? Checked { get; set; }

    /// <summary>Why the last check made got no answer (null when it was answered), for tests' messages.</summary>
    internal Exception? LastProblem { get; private set; }

    /// <summary>A batch now waits for its answer; <paramref name="abort"/> ends the wait, with the reason, if the worker stops answering.</summary>
    public void Begin(Action<string> abort)
    {
        Interlocked.Increment(ref _batch);
        Volatile.Write(ref _abort, abort);
        Arm(_delay);
    }

    /// <summary>The batch's wait is over.</summary>
    public void End()
    {
        Volatile.Write(ref _abort, null);
        Arm(Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();

    private void OnQuiet()
    {
        if (Volatile.Read(ref _abort) is { } abort)
        {
            _ = CheckAsync(abort, Interlocked.Read(ref _batch));
        }
    }

    private async Task CheckAsync(Action<string> abort, long batch)
    {
        bool answered;
        using (var timeout = new CancellationTokenSource(_timeout, _time))
        {
            try
            {
                await _check(timeout.Token).ConfigureAwait(false);
                answered = true;
                LastProblem = null;
            }
            catch (Exception ex)
            {
                // Unreachable, not answering in time, or the client closed: no answer, whatever the reason.
                answered = false;
                LastProblem = ex;
            }
        }

        if (!ReferenceEquals(Volatile.Read(ref _abort), abort) || Interlocked.Read(ref _batch) != batch)
        {
            return;
        }

        if (answered)
        {
            Arm(_delay);
        }
        else
        {
            abort(string.Create(CultureInfo.InvariantCulture, $"it did not answer a keep-alive check within {_timeout.TotalMilliseconds:0} ms while its batch ran"));
        }

        Checked?.Invoke(answered);
    }

    private void Arm(TimeSpan due)
    {
        try
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed; nothing waits any more.
        }
    }
}
