using System.Collections.Concurrent;

namespace Augur.Engine;

/// <summary>
/// The engine's current models: an immutable dictionary replaced whole (readers take one snapshot per request and
/// never lock), plus the versions swapped out that still run requests. Only <see cref="ModelController"/> replaces it,
/// one change at a time.
/// </summary>
internal sealed class ModelSet(IReadOnlyDictionary<string, ModelEntry> initial, IReadOnlyCollection<string> requiredModels)
{
    private IReadOnlyDictionary<string, ModelEntry> _current = initial;
    private readonly ConcurrentDictionary<LoadedVersion, byte> _retiring = new();

    /// <summary>The models of the moment; a reference read once per request.</summary>
    public IReadOnlyDictionary<string, ModelEntry> Current => Volatile.Read(ref _current);

    /// <summary>Models the server option marks required, whether or not they are loaded.</summary>
    public IReadOnlyCollection<string> RequiredModels { get; } = requiredModels;

    /// <summary>Publishes a new model set; requests that already resolved a version keep it.</summary>
    public void Publish(IReadOnlyDictionary<string, ModelEntry> next) => Volatile.Write(ref _current, next);

    /// <summary>Drops the set's reference to a version no longer published; it is disposed when its last request ends.</summary>
    public async ValueTask RetireAsync(LoadedVersion version)
    {
        _retiring[version] = 0;
        if (version.Lease.Retire())
        {
            await DisposeRetiredAsync(version).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a request's use of <paramref name="version"/>, disposing it when it was retired and this was the last use.</summary>
    public ValueTask ReleaseAsync(LoadedVersion version) =>
        version.Lease.Release() ? DisposeRetiredAsync(version) : ValueTask.CompletedTask;

    /// <summary>Versions swapped out and still running requests.</summary>
    public int RetiringCount => _retiring.Count;

    /// <summary>The versions swapped out or unloaded that still run requests.</summary>
    public IEnumerable<LoadedVersion> Retiring => _retiring.Keys;

    /// <summary>Disposes every version, published or retiring, without waiting for leases (engine shutdown).</summary>
    public async ValueTask DisposeAllAsync()
    {
        foreach (var version in Current.Values.SelectMany(m => m.Ready).Concat(_retiring.Keys).Distinct())
        {
            await version.DisposeAsync().ConfigureAwait(false);
        }

        _retiring.Clear();
    }

    private async ValueTask DisposeRetiredAsync(LoadedVersion version)
    {
        await version.DisposeAsync().ConfigureAwait(false);
        _retiring.TryRemove(version, out _);
    }
}
