namespace Augur.Engine;

/// <summary>
/// Reference counting for one loaded version. The engine's model set holds one reference; every request holds one
/// from resolution to completion. Retiring the version (a swap or an unload) drops the model set's reference, and
/// whoever drops the last reference disposes the version, so a request always finishes on the version it started on.
/// </summary>
internal sealed class VersionLease
{
    private int _count = 1;
    private int _disposed;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the last reference is gone (after <see cref="Retire"/>).</summary>
    public Task Released => _released.Task;

    /// <summary>Takes a reference for one request; false when the version was retired meanwhile (resolve again).</summary>
    public bool TryAcquire()
    {
        var count = Volatile.Read(ref _count);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Drops a request's reference; true when it was the last one (the caller then disposes the version).</summary>
    public bool Release()
    {
        var left = Interlocked.Decrement(ref _count);
        if (left == 0)
        {
            _released.TrySetResult();
            return true;
        }

        return false;
    }

    /// <summary>Drops the model set's reference; true when no request holds the version (dispose it now).</summary>
    public bool Retire() => Release();

    /// <summary>Requests holding the version now (references other than the model set's, while it is published).</summary>
    public int Requests(bool published) => Math.Max(0, Volatile.Read(ref _count) - (published ? 1 : 0));

    /// <summary>True once the version was disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>True the first time only: disposal happens once whoever triggers it.</summary>
    public bool MarkDisposed() => Interlocked.Exchange(ref _disposed, 1) == 0;
}
