using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// Reaches a worker started elsewhere (a sidecar container) at its endpoint, and checks that it answers.
/// </summary>
/// <remarks>
/// <para>At load (the first launch) the worker may not be up yet: a sidecar can start a little after the server. It is
/// tried again, after pauses doubling from <see cref="FirstPause"/> to <see cref="LongestPause"/>, until
/// <c>start_timeout_ms</c> has passed; then the load fails naming the endpoint, the wait and the last attempt's error.</para>
/// <para>A restart (every later launch) tries once, within <c>call_timeout_ms</c>. <see cref="WorkerInstance"/> spaces
/// restarts with its own doubling delays; a start wait inside each attempt would only stretch those, and keep the
/// instance's reason for being down stale for the whole wait.</para>
/// </remarks>
internal sealed class RemoteWorkerLauncher(WorkerSlot slot, WorkerEndpoint endpoint, Func<WorkerEndpoint, IWorkerConnection> connect, TimeProvider time, ILogger logger) : IWorkerLauncher
{
    /// <summary>The pause after the first attempt at load that found no worker.</summary>
    public static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);

    /// <summary>The cap of the doubling pauses between attempts at load.</summary>
    public static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private int _launches;

    public string Describe => $"{slot.Describe} at {endpoint}";

    public async Task<LiveWorker> LaunchAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _launches) == 1)
        {
            return await WaitForWorkerAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await ReachAsync(slot.Settings.CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"the worker at {endpoint} does not answer: {ex.Message}", ex);
        }
    }

    private async Task<LiveWorker> WaitForWorkerAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = FirstPause;
        for (var attempts = 1; ; attempts++)
        {
            Exception failure;
            try
            {
                return await ReachAsync(Min(slot.Settings.CallTimeout, Remaining()), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }

            if (attempts == 1)
            {
                WorkerLog.WaitingForRemote(logger, slot.Model, slot.Version, endpoint.ToString(), failure.Message, (long)slot.Settings.StartTimeout.TotalMilliseconds);
            }

            if (Remaining() > TimeSpan.Zero)
            {
                await Task.Delay(Min(pause, Remaining()), time, cancellationToken).ConfigureAwait(false);
                pause = Min(pause * 2, LongestPause);
            }

            if (Remaining() <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"nothing answered at {endpoint} in {time.GetElapsedTime(started).TotalMilliseconds:0} ms of trying "
                    + $"(backend_settings.worker.start_timeout_ms; {attempts} {(attempts == 1 ? "attempt" : "attempts")}); the last attempt: {failure.Message}",
                    failure);
            }
        }

        TimeSpan Remaining() => slot.Settings.StartTimeout - time.GetElapsedTime(started);
    }

    /// <summary>One attempt: a new connection, and a health check answered within <paramref name="timeout"/>.</summary>
    private async Task<LiveWorker> ReachAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = connect(endpoint);
        try
        {
            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await connection.PingAsync(linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"it did not answer within {timeout.TotalMilliseconds:0} ms", ex);
            }

            return new LiveWorker(null, connection, time.GetTimestamp());
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
