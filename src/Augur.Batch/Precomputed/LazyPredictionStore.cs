using Augur.Batch.Storage;
using Augur.Precomputed;

namespace Augur.Batch.Precomputed;

/// <summary>
/// A SQLite or PostgreSQL <see cref="PredictionStore"/> opened on first use, not when the engine loads a model: a
/// database that is down at start-up costs the requests that find it down (they run the model) and is opened once it
/// is back, instead of failing the model's load. Opening creates the tables when they do not exist yet.
/// </summary>
internal sealed class LazyPredictionStore(StoreLocation location) : IPrecomputedPredictions
{
    private readonly object _gate = new();
    private Task<PredictionStore>? _opening;
    private bool _disposed;

    public StoreLocation Location => location;

    public async ValueTask<PrecomputedPrediction?> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).FindAsync(query, cancellationToken).ConfigureAwait(false);

    public async ValueTask WriteAsync(PrecomputedWrite write, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).WriteAsync(write, cancellationToken).ConfigureAwait(false);

    private async Task<PredictionStore> StoreAsync(CancellationToken cancellationToken)
    {
        Task<PredictionStore> opening;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // A failed open is tried again by the next call. The open itself is not tied to one caller's token: a
            // lookup that stops waiting must not cancel the open the next lookups will use.
            if (_opening is null || _opening.IsFaulted || _opening.IsCanceled)
            {
                _opening = PredictionStore.OpenAsync(location, CancellationToken.None);
            }

            opening = _opening;
        }

        try
        {
            return await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PredictionStore.IsStoreFailure(ex))
        {
            throw new PrecomputedStoreException($"the prediction store '{location.Display}' cannot be opened: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<PredictionStore>? opening;
        lock (_gate)
        {
            _disposed = true;
            opening = _opening;
        }

        if (opening is not null)
        {
            try
            {
                await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (PredictionStore.IsStoreFailure(ex))
            {
                // It never opened: nothing to close.
            }
        }
    }
}
