using Augur.Backends;
using Augur.Models;
using Augur.Scheduling;
using Augur.Sequences;
using Augur.Stages;

namespace Augur.Engine;

/// <summary>
/// One ready model version: its served signature, the scheduler that runs it on its instances, and the request pipeline
/// (its stages) in front of the scheduler.
/// </summary>
internal sealed class LoadedVersion : IAsyncDisposable
{
    private readonly IModel _model;

    public LoadedVersion(string name, long version, string platform, ModelSignature signature, int maxBatchSize, DynamicBatchingConfig batching, IModel model, DynamicBatcher scheduler, IReadOnlyList<IRequestStage>? stages = null)
    {
        Name = name;
        Version = version;
        VersionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Platform = platform;
        Signature = signature;
        MaxBatchSize = maxBatchSize;
        Batching = batching;
        _model = model;
        Scheduler = scheduler;
        stages ??= [];
        Sequences = stages.OfType<SequenceBatcher>().SingleOrDefault();
        Pipeline = new RequestPipeline(stages, scheduler);
    }

    public string Name { get; }

    public long Version { get; }

    public string VersionText { get; }

    public string Platform { get; }

    public ModelSignature Signature { get; }

    public int MaxBatchSize { get; }

    public DynamicBatchingConfig Batching { get; }

    public DynamicBatcher Scheduler { get; }

    /// <summary>The stages every request of this version goes through before <see cref="Scheduler"/>.</summary>
    public RequestPipeline Pipeline { get; }

    /// <summary>The sequence stage (the pipeline's last) of a stateful sequence model; null otherwise. Its rules check requests.</summary>
    public SequenceBatcher? Sequences { get; }

    /// <summary>Counts the requests running on this version, so a swapped-out version is disposed only when they end.</summary>
    public VersionLease Lease { get; } = new();

    /// <summary>Identifies the files this version was loaded from; a poll reloads the version when it changes.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>The byte size of the version folder's files: what the memory budget counts when the model does not report its memory.</summary>
    public long FileBytes { get; init; }

    /// <summary>
    /// The memory the version holds, for the memory budget: what the model reports (<see cref="IReportsMemory"/>), else
    /// <see cref="FileBytes"/>; 0 once disposed.
    /// </summary>
    public long MemoryBytes => Lease.IsDisposed ? 0 : _model is IReportsMemory { MemoryBytes: > 0 and var reported } ? reported : FileBytes;

    /// <summary>How the backend runs the version (<see cref="IExplainsPlan"/>); null when it does not say.</summary>
    public ModelPlan? Plan => _model is IExplainsPlan explains ? explains.Plan : null;

    private long _lastUsed;

    /// <summary>When a request last resolved the version (a <see cref="TimeProvider"/> timestamp); kept only under a memory budget.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Records a use at <paramref name="timestamp"/>, for least-recently-used unloading.</summary>
    public void MarkUsed(long timestamp) => Volatile.Write(ref _lastUsed, timestamp);

    /// <summary>Stops serving immediately (queued requests fail); idempotent. For swaps use <see cref="VersionLease.Retire"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Lease.MarkDisposed())
        {
            return;
        }

        // Stages first: a sequence stage fails the steps waiting their turn before the scheduler fails the queued ones.
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        await Scheduler.DisposeAsync().ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Ready while one of the version's instances is; otherwise the first instance's reason.</summary>
    public InstanceHealth Health
    {
        get
        {
            var instances = Scheduler.Instances;
            InstanceHealth? down = null;
            foreach (var instance in instances)
            {
                var health = instance.Health;
                if (health.IsReady)
                {
                    return health;
                }

                down ??= health;
            }

            return down ?? InstanceHealth.Ready;
        }
    }
}
