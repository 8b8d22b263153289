using System.Collections.Concurrent;
using System.Data.Common;

namespace Augur.Batch.Storage;

/// <summary>
/// Open connections kept for a store's lookups (a server answering from precomputed predictions asks once per request).
/// SQLite connections are opened with pooling off, so each open reads the file header, maps the WAL index and runs the
/// set-up pragmas: milliseconds per lookup, measured as a 3.7 ms p50 at 200 lookups/s on the ranker benchmark. Kept
/// connections make a lookup one indexed query. PostgreSQL connections come from Npgsql's own pool and are not kept here.
/// </summary>
internal sealed class ReaderPool(StoreLocation location) : IAsyncDisposable
{
    // Enough for the lookups of a busy server's threads; more are opened when needed and closed when returned.
    private const int MaxKept = 16;

    private readonly ConcurrentBag<DbConnection> _idle = [];
    private int _disposed;

    public async ValueTask<DbConnection> RentAsync(CancellationToken cancellationToken) =>
        location.Kind == StoreKind.Sqlite && _idle.TryTake(out var connection)
            ? connection
            : await ConnectionFactory.OpenAsync(location, cancellationToken).ConfigureAwait(false);

    /// <summary>Takes a connection back; one that failed (<paramref name="healthy"/> false) is closed rather than kept.</summary>
    public async ValueTask ReturnAsync(DbConnection connection, bool healthy)
    {
        if (healthy && location.Kind == StoreKind.Sqlite && Volatile.Read(ref _disposed) == 0 && _idle.Count < MaxKept)
        {
            _idle.Add(connection);
            if (Volatile.Read(ref _disposed) != 0)
            {
                // Returned while the store was being disposed: close what the disposal may have missed.
                await CloseIdleAsync().ConfigureAwait(false);
            }

            return;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        await CloseIdleAsync().ConfigureAwait(false);
    }

    private async ValueTask CloseIdleAsync()
    {
        while (_idle.TryTake(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
