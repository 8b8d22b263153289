using Augur.Backends;
using Augur.Models;
using Augur.Scheduling;
using Augur.Sequences;

namespace Augur.Engine;

/// <summary>One ready model version: its served signature and the scheduler that runs it on its instances.</summary>
internal sealed class LoadedVersion(string name, long version, string platform, ModelSignature signature, int maxBatchSize, DynamicBatchingConfig batching, IModel model, DynamicBatcher scheduler, SequenceBatcher? sequences = null)
    : IAsyncDisposable
{
    public string Name { get; } = name;

    public long Version { get; } = version;

    public string VersionText { get; } = version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Platform { get; } = platform;

    public ModelSignature Signature { get; } = signature;

    public int MaxBatchSize { get; } = maxBatchSize;

    public DynamicBatchingConfig Batching { get; } = batching;

    public DynamicBatcher Scheduler { get; } = scheduler;

    /// <summary>The ordering layer in front of <see cref="Scheduler"/> for a stateful sequence model; null otherwise.</summary>
    public SequenceBatcher? Sequences { get; } = sequences;

    /// <summary>Counts the requests running on this version, so a swapped-out version is disposed only when they end.</summary>
    public VersionLease Lease { get; } = new();

    /// <summary>Identifies the files this version was loaded from; a poll reloads the version when it changes.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>Stops serving immediately (queued requests fail); idempotent. For swaps use <see cref="VersionLease.Retire"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Lease.MarkDisposed())
        {
            return;
        }

        Sequences?.Dispose();
        await Scheduler.DisposeAsync().ConfigureAwait(false);
        model.Dispose();
    }
}
