using Augur.Backends;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// A model version whose instances are workers. Loading starts the first worker and asks it for the signature; that
/// worker becomes instance 0, so a model with one instance starts one process.
/// </summary>
internal sealed class WorkerModel : IModel, IReportsMemory
{
    private readonly Func<WorkerSlot, IWorkerLauncher> _launchers;
    private readonly ModelLoadContext _context;
    private readonly WorkerSettings _settings;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly List<WorkerInstance> _instances = [];
    private WorkerInstance? _first;

    private WorkerModel(ModelLoadContext context, WorkerSettings settings, Func<WorkerSlot, IWorkerLauncher> launchers, WorkerMetrics metrics, ILogger logger, WorkerInstance first, ModelSignature signature)
    {
        _context = context;
        _settings = settings;
        _launchers = launchers;
        _metrics = metrics;
        _logger = logger;
        _first = first;
        Signature = signature;
    }

    public ModelSignature Signature { get; }

    /// <summary>The resident memory of the model's worker processes now (a disposed instance counts 0).</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_instances)
            {
                return _instances.Sum(i => i.ResidentBytes) + (Volatile.Read(ref _first)?.ResidentBytes ?? 0);
            }
        }
    }

    private static WorkerSlot SlotFor(ModelLoadContext context, WorkerSettings settings, int index) =>
        new(context.ModelName, context.Version, index, context.VersionDirectory, context.Backend, settings);

    public static async Task<WorkerModel> LoadAsync(ModelLoadContext context, WorkerSettings settings, Func<WorkerSlot, IWorkerLauncher> launchers, CancellationToken cancellationToken)
    {
        var logger = context.LoggerFactory.CreateLogger("Augur.Workers");
        var metrics = WorkerMetrics.For(context.Meter);
        var slot = SlotFor(context, settings, 0);
        var first = await WorkerInstance.StartAsync(slot, launchers(slot), context.Time, metrics, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var signature = await first.DescribeAsync(cancellationToken).ConfigureAwait(false);
            return new WorkerModel(context, settings, launchers, metrics, logger, first, signature);
        }
        catch
        {
            await first.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken)
    {
        var instance = Interlocked.Exchange(ref _first, null);
        if (instance is null || instance.Slot.Index != index)
        {
            if (instance is not null)
            {
                Interlocked.Exchange(ref _first, instance);
            }

            var slot = SlotFor(_context, _settings, index);
            instance = await WorkerInstance.StartAsync(slot, _launchers(slot), _context.Time, _metrics, _logger, cancellationToken).ConfigureAwait(false);
        }

        lock (_instances)
        {
            _instances.Add(instance);
        }

        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _first, null) is { } unused)
        {
            await unused.DisposeAsync().ConfigureAwait(false);
        }
    }
}
