using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// One instance of an isolated model: a worker kept up. A worker that dies (a signal, the out-of-memory killer, a native
/// crash, a broken connection) fails its in-flight batch at once as unavailable, with how it died, and is restarted:
/// the first restart at once, then after doubling delays (from <see cref="FirstRetryDelay"/> up to the model's
/// <c>max_restart_delay_ms</c>) while it keeps failing; a worker that ran for <see cref="StableUptime"/> starts the count
/// again. A batch not answered within <c>call_timeout_ms</c> counts as a hung worker, which is killed and restarted.
/// While no worker is up the instance reports itself down. A batch that finds it down while the immediate first restart
/// runs waits for that worker, up to <c>restart_wait_ms</c>, so a single crash fails only the batch in flight; during a
/// later attempt (a worker that keeps failing) or past that wait, batches fail at once with the reason. A worker started
/// elsewhere has no process to watch: it is asked for its health every <c>health_check_interval_ms</c>, and one that
/// does not answer within <c>call_timeout_ms</c> is down (readiness false) until it is reached again, so a dead sidecar
/// is noticed without waiting for a batch.
/// </summary>
internal sealed class WorkerInstance : IModelInstance
{
    /// <summary>The wait before the second attempt of a worker that keeps failing.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a worker must have run for its next crash to be restarted at once again.</summary>
    public static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(30);

    /// <summary>The longest a call that failed waits to learn how its process ended.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private readonly WorkerSlot _slot;
    private readonly IWorkerLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private LiveWorker? _live;
    private string _downReason = "not started";
    private Task _restarting = Task.CompletedTask;
    private TaskCompletionSource _up = NewSignal();
    private bool _restartingAtOnce;
    private int _failureStreak;

    private WorkerInstance(WorkerSlot slot, IWorkerLauncher launcher, TimeProvider time, WorkerMetrics metrics, ILogger logger)
    {
        _slot = slot;
        _launcher = launcher;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Starts the instance's first worker; throws (with the worker's reason) when it does not come up.</summary>
    public static async Task<WorkerInstance> StartAsync(WorkerSlot slot, IWorkerLauncher launcher, TimeProvider time, WorkerMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        var instance = new WorkerInstance(slot, launcher, time, metrics, logger);
        LiveWorker live;
        try
        {
            live = await launcher.LaunchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{launcher.Describe} did not start: {ex.Message}", ex);
        }

        instance.Adopt(live);
        metrics.Track(instance);
        return instance;
    }

    public WorkerSlot Slot => _slot;

    /// <summary>The latest restart (completed when none runs); it completes once the new worker is up or the instance stops.</summary>
    internal Task Restarting
    {
        get
        {
            lock (_gate)
            {
                return _restarting;
            }
        }
    }

    /// <inheritdoc />
    public InstanceHealth Health
    {
        get
        {
            lock (_gate)
            {
                return _live is not null ? InstanceHealth.Ready : InstanceHealth.Down($"{_slot.Describe} is down: {_downReason}");
            }
        }
    }

    /// <summary>The resident memory of the worker process now (0 while down or for a worker started elsewhere).</summary>
    public long ResidentBytes => Volatile.Read(ref _live)?.Process?.ResidentBytes ?? 0;

    /// <summary>The signature of the model the worker loaded.</summary>
    public async Task<ModelSignature> DescribeAsync(CancellationToken cancellationToken)
    {
        var live = Volatile.Read(ref _live) ?? throw new InvalidOperationException($"{_slot.Describe} is down: {_downReason}");
        using var timeout = new CancellationTokenSource(_slot.Settings.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, live.Gone);
        return await live.Connection.DescribeAsync(linked.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var live = Volatile.Read(ref _live) ?? await AwaitRestartAsync(cancellationToken).ConfigureAwait(false);
        if (live is null)
        {
            return cancellationToken.IsCancellationRequested
                ? BatchResult.Failure(new InferenceError(ErrorCode.Cancelled, $"the batch on {_slot.Describe} was cancelled"))
                : BatchResult.Failure(InferenceError.Unavailable($"{_slot.Describe} is down: {DownReason}"));
        }

        using var timeout = new CancellationTokenSource(_slot.Settings.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, live.Gone);
        try
        {
            var result = await live.Connection.ExecuteAsync(batch, linked.Token).ConfigureAwait(false);
            if (result.Error?.Code != ErrorCode.Unavailable || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            // The worker answers model errors with their own codes; unavailable means the transport failed.
            return await FailedAsync(live, result.Error.Message, hung: false).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested && !live.IsGone)
        {
            return BatchResult.Failure(new InferenceError(ErrorCode.Cancelled, $"the batch on {_slot.Describe} was cancelled"));
        }
        catch (Exception ex)
        {
            var hung = timeout.IsCancellationRequested && !live.IsGone;
            return await FailedAsync(live, hung ? $"did not answer a batch within {_slot.Settings.CallTimeout.TotalMilliseconds:0} ms" : ex.Message, hung).ConfigureAwait(false);
        }
    }

    private string DownReason
    {
        get
        {
            lock (_gate)
            {
                return _downReason;
            }
        }
    }

    /// <summary>The worker the immediate restart brings up, awaited for at most <c>restart_wait_ms</c>; null when none comes.</summary>
    private async Task<LiveWorker?> AwaitRestartAsync(CancellationToken cancellationToken)
    {
        Task up;
        lock (_gate)
        {
            if (_live is not null || !_restartingAtOnce)
            {
                return _live;
            }

            up = _up.Task;
        }

        try
        {
            await up.WaitAsync(_slot.Settings.RestartWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return Volatile.Read(ref _live);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async ValueTask<BatchResult> FailedAsync(LiveWorker live, string problem, bool hung)
    {
        string reason;
        if (hung)
        {
            reason = problem + "; it was killed";
            _metrics.Failed(_slot, WorkerMetrics.Hung);
        }
        else if (live.Process is { } process)
        {
            // A killed worker's socket closes before its exit is reported: wait (briefly) to say how it ended.
            var exited = await Task.WhenAny(process.Exited, Task.Delay(ExitGrace, _time)).ConfigureAwait(false) == process.Exited;
            reason = exited ? $"the worker (pid {process.Id}) {process.Exited.Result}" : $"the connection to the worker broke ({problem}); it was killed";
        }
        else
        {
            reason = $"the worker does not answer ({problem})";
        }

        // Losing it disposes it, which kills a process that still runs.
        Lose(live, reason, hung ? null : WorkerMetrics.Exit);
        return BatchResult.Failure(InferenceError.Unavailable($"{_slot.Describe} failed during the batch: {reason}; restarting"));
    }

    private void Adopt(LiveWorker live)
    {
        lock (_gate)
        {
            _live = live;
            _downReason = string.Empty;
            _restartingAtOnce = false;
            _up.TrySetResult();
        }

        if (live.Process is { } process)
        {
            _ = process.Exited.ContinueWith(
                exit => Lose(live, $"the worker (pid {process.Id}) {exit.Result}", WorkerMetrics.Exit),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        else
        {
            _ = WatchAsync(live);
        }
    }

    /// <summary>Asks a worker started elsewhere for its health every interval until it is gone; one that fails a check is lost.</summary>
    private async Task WatchAsync(LiveWorker live)
    {
        var settings = _slot.Settings;
        try
        {
            while (true)
            {
                await Task.Delay(settings.HealthCheckInterval, _time, live.Gone).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(settings.CallTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(live.Gone, timeout.Token);
                try
                {
                    await live.Connection.PingAsync(linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!live.IsGone)
                {
                    var problem = timeout.IsCancellationRequested
                        ? $"it did not answer a health check within {settings.CallTimeout.TotalMilliseconds:0} ms"
                        : $"its health check failed ({ex.Message})";
                    Lose(live, problem, WorkerMetrics.HealthCheck);
                    return;
                }
            }
        }
        catch (Exception) when (live.IsGone)
        {
            // Lost or stopped meanwhile: whoever took it out of service says why.
        }
    }

    /// <summary>Takes a worker out of service (once) and starts bringing a new one up, unless the instance is stopping.</summary>
    private void Lose(LiveWorker live, string reason, string? cause)
    {
        lock (_gate)
        {
            if (!live.MarkGone() || !ReferenceEquals(_live, live))
            {
                return;
            }

            _live = null;
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _up = NewSignal();
            _downReason = reason + "; restarting";
            if (cause is not null)
            {
                _metrics.Failed(_slot, cause);
            }

            WorkerLog.Down(_logger, _slot.Model, _slot.Version, _slot.Index, reason);
            if (_time.GetElapsedTime(live.StartedAt) >= StableUptime)
            {
                _failureStreak = 0;
            }

            _restartingAtOnce = RestartDelay(_failureStreak) == TimeSpan.Zero;
            _restarting = Task.Run(() => RestartAsync(live));
        }
    }

    private async Task RestartAsync(LiveWorker lost)
    {
        await lost.DisposeAsync().ConfigureAwait(false);
        while (!_stopping.IsCancellationRequested)
        {
            var delay = RestartDelay(_failureStreak++);
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                }

                var live = await _launcher.LaunchAsync(_stopping.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_stopping.IsCancellationRequested)
                    {
                        Adopt(live);
                        _metrics.Restarted(_slot);
                        return;
                    }
                }

                await live.DisposeAsync().ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _downReason = $"the restart failed ({ex.Message}); retrying";
                    _restartingAtOnce = false;

                    // Batches waiting for this attempt fail now, with its reason.
                    _up.TrySetResult();
                    _up = NewSignal();
                }

                WorkerLog.RestartFailed(_logger, _slot.Model, _slot.Version, _slot.Index, ex.Message);
            }
        }
    }

    private TimeSpan RestartDelay(int failures)
    {
        if (failures == 0)
        {
            return TimeSpan.Zero;
        }

        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 20));
        return delay < _slot.Settings.MaxRestartDelay ? delay : _slot.Settings.MaxRestartDelay;
    }

    /// <summary>Stops restarting and ends the worker; the process is gone when this completes.</summary>
    public async ValueTask DisposeAsync()
    {
        LiveWorker? live;
        Task restarting;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            live = _live;
            _live = null;
            _downReason = "stopped";
            _restartingAtOnce = false;
            _up.TrySetResult();
            restarting = _restarting;
        }

        _metrics.Untrack(this);
        await restarting.ConfigureAwait(false);
        if (live is not null)
        {
            await live.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
