using System.Data.Common;
using Augur.Batch.Storage;

namespace Augur.Batch.Jobs;

/// <summary>
/// Renews a run's shard lease every heartbeat interval (on the job's <see cref="TimeProvider"/>) until disposed, and
/// signals <see cref="Lost"/> when a renewal finds that another run has taken the shard over. A renewal that fails on
/// the database is tried again next beat: if the database stays away past the lease timeout, another run may take
/// over, and the next commit, which checks the lease in its own transaction, finds that out.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _beating;

    public LeaseKeeper(PredictionStore store, ShardLease lease, TimeSpan interval, TimeProvider time) =>
        _beating = Task.Run(() => BeatAsync(store, lease, interval, time), CancellationToken.None);

    /// <summary>Cancelled when another run holds the lease: this run must stop and commit nothing more.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>True once a renewal found the lease taken over (still readable after dispose).</summary>
    public bool IsLost { get; private set; }

    private async Task BeatAsync(PredictionStore store, ShardLease lease, TimeSpan interval, TimeProvider time)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    // Not cancelled by the stop: a renewal half done on the shared writer connection would leave it unusable.
                    if (!await store.RenewLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false))
                    {
                        IsLost = true;
                        await _lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (DbException)
                {
                    // Tried again next beat; see the summary.
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops beating; returns once no renewal is in progress. Calling it again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _beating.ConfigureAwait(false);
    }
}
