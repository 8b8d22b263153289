using System.Diagnostics.Metrics;
using Augur.Backends;
using Augur.Diagnostics;
using Augur.Engine;
using Augur.Models;
using Augur.Precomputed;
using Augur.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur;

/// <summary>
/// Configures and builds an <see cref="InferenceEngine"/>. Register at least one backend
/// (<c>UseOnnxRuntime()</c> from Augur.OnnxRuntime) and a model repository.
/// </summary>
public sealed class InferenceEngineBuilder
{
    private readonly List<IModelBackend> _backends = [];
    private readonly List<IRequestStageFactory> _stageFactories = [];
    private string? _repository;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IMeterFactory? _meterFactory;
    private ModelControlMode _modelControl = ModelControlMode.None;
    private TimeSpan _pollInterval = TimeSpan.FromSeconds(15);
    private string[]? _startupModels;
    private string[] _requiredModels = [];
    private Func<string, IPrecomputedPredictions>? _precomputed;
    private long? _memoryBudget;
    private TimeSpan? _defaultTimeout;
    private TimeSpan? _computeThreadFrom = DefaultComputeThreadFrom;

    /// <summary>The folder holding <c>&lt;model&gt;/&lt;version&gt;/</c> trees (e.g. <c>fraud/1/model.onnx</c>).</summary>
    public InferenceEngineBuilder UseModelRepository(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _repository = Path.GetFullPath(path);
        return this;
    }

    /// <summary>
    /// Adds a backend. A model's config.json chooses one by name (<c>backend</c>); without it, the first backend that can
    /// load the version folder is used. An <see cref="IIsolatingBackend"/> serves the models that ask for its isolation.
    /// </summary>
    public InferenceEngineBuilder AddBackend(IModelBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (_backends.Any(b => b.Name == backend.Name))
        {
            throw new ArgumentException($"a backend named '{backend.Name}' is already registered", nameof(backend));
        }

        _backends.Add(backend);
        return this;
    }

    /// <summary>Adds a kind of request stage (a cache, precomputed predictions, a feature join) that versions may use.</summary>
    internal InferenceEngineBuilder AddRequestStage(IRequestStageFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _stageFactories.Add(factory);
        return this;
    }

    /// <summary>Adds a kind of request stage in place of any earlier factory of the same type (a feature configured twice).</summary>
    internal InferenceEngineBuilder ReplaceRequestStage<TFactory>(TFactory factory)
        where TFactory : IRequestStageFactory
    {
        ArgumentNullException.ThrowIfNull(factory);
        _stageFactories.RemoveAll(f => f is TFactory);
        return AddRequestStage(factory);
    }

    /// <summary>
    /// Lets models answer from precomputed predictions (config.json <c>precomputed</c>). <paramref name="resolver"/> turns a
    /// model's <c>source</c> into a store: an absolute SQLite path (a relative one is taken from the model's folder) or a
    /// URI as written (<c>postgres://…</c>, <c>redis://…</c>); Augur.Batch's <c>PrecomputedStores.Open</c> handles all
    /// three. It is called once per distinct source, when the first version naming it loads, and should not connect
    /// (the store is asked on the first request; a store that is down must not fail a load); what it throws fails that
    /// version's load with its message. The engine shares each store across models and versions and disposes it when
    /// the engine is disposed. Without this call, models that declare a source run every request (with a warning).
    /// </summary>
    public InferenceEngineBuilder UsePrecomputedPredictions(Func<string, IPrecomputedPredictions> resolver)
    {
        _precomputed = resolver ?? throw new ArgumentNullException(nameof(resolver));
        return this;
    }

    /// <summary>
    /// Bounds the memory of the loaded models, all together, to <paramref name="bytes"/> (design note 0010). Start-up then
    /// loads no model but the required ones; a model loads on its first request (concurrent requests share the load and
    /// wait within their timeout), and the least recently used idle models are unloaded to make room. A model with a
    /// request in flight, or a required one, is never unloaded: when nothing can be, the load is refused with an error
    /// (ResourceExhausted) naming the models in use. A version counts what its model reports
    /// (<see cref="IReportsMemory"/>), else the byte size of its folder's files. Default: no budget, every model loads
    /// at start-up.
    /// </summary>
    public InferenceEngineBuilder UseMemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        _memoryBudget = bytes;
        return this;
    }

    /// <summary>
    /// How long a request may wait in a model's queue when neither the request (its <c>timeout</c>) nor the model
    /// (<c>default_timeout_microseconds</c>) says; it counts from the request's arrival at the queue, so an on-demand load
    /// never uses it up. A request still queued then gets 504, and one whose predicted wait is
    /// longer is refused at once with 503 and <c>Retry-After</c> (design note 0002). Default: no limit, which is what an
    /// in-process caller that submits a whole job at once wants; <c>augur serve</c> sets 1 s.
    /// </summary>
    public InferenceEngineBuilder UseDefaultTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _defaultTimeout = timeout;
        return this;
    }

    /// <summary>The default of <see cref="UseComputeThreads"/>: runs that block for 500 µs or more on average.</summary>
    public static readonly TimeSpan DefaultComputeThreadFrom = TimeSpan.FromMicroseconds(500);

    /// <summary>
    /// When an instance's batches run on a thread of its own: once its runs block the thread that starts them (as ONNX
    /// Runtime's do) for <paramref name="from"/> or longer on average. Shorter runs stay on the thread that dispatched
    /// them, where they cost no hop. <see cref="TimeSpan.Zero"/> gives every instance a thread; null gives none, so every
    /// run holds a thread-pool thread while it computes. Default <see cref="DefaultComputeThreadFrom"/> (design note 0002,
    /// "Where a batch runs").
    /// </summary>
    public InferenceEngineBuilder UseComputeThreads(TimeSpan? from)
    {
        if (from is { } span)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(span, TimeSpan.Zero);
        }

        _computeThreadFrom = from;
        return this;
    }

    /// <summary>The clock for queue and compute timings. Default <see cref="TimeProvider.System"/>.</summary>
    public InferenceEngineBuilder UseTimeProvider(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        return this;
    }

    /// <summary>Where the engine logs model loading and failures. Default: no logging.</summary>
    public InferenceEngineBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        return this;
    }

    /// <summary>
    /// Where the engine's meter (named <c>Augur</c>) comes from, e.g. the host's <see cref="IMeterFactory"/>.
    /// Default: the engine creates its own meter and disposes it with itself; listeners still see it by name.
    /// </summary>
    public InferenceEngineBuilder UseMeterFactory(IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory ?? throw new ArgumentNullException(nameof(meterFactory));
        return this;
    }

    /// <summary>
    /// How the model set may change while the engine runs. Default <see cref="ModelControlMode.None"/>.
    /// <paramref name="pollInterval"/> is how often <see cref="ModelControlMode.Poll"/> looks at the repository
    /// (default 15 s; from 100 ms to 1 day).
    /// </summary>
    public InferenceEngineBuilder UseModelControl(ModelControlMode mode, TimeSpan? pollInterval = null)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "is not a model control mode");
        }

        if (pollInterval is { } interval && (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "must be from 100 ms to 1 day");
        }

        _modelControl = mode;
        _pollInterval = pollInterval ?? _pollInterval;
        return this;
    }

    /// <summary>
    /// In <see cref="ModelControlMode.Explicit"/> mode, the models loaded at start-up (default: none; "*" loads all).
    /// Ignored in the other modes, which load every model.
    /// </summary>
    public InferenceEngineBuilder LoadModelsAtStartup(params string[] models)
    {
        ArgumentNullException.ThrowIfNull(models);
        _startupModels = CheckNames(models, nameof(models), allowStar: true);
        return this;
    }

    /// <summary>
    /// Models without which the engine is not ready (<see cref="InferenceEngine.IsReady"/> false, the server's
    /// readiness 503), in addition to those whose config.json says <c>"required": true</c>.
    /// </summary>
    public InferenceEngineBuilder RequireModels(params string[] models)
    {
        ArgumentNullException.ThrowIfNull(models);
        _requiredModels = CheckNames(models, nameof(models), allowStar: false);
        return this;
    }

    private static string[] CheckNames(string[] models, string parameter, bool allowStar)
    {
        foreach (var model in models)
        {
            if (!ModelNames.IsValid(model) && !(allowStar && model == "*"))
            {
                throw new ArgumentException($"'{model}' is not a valid model name (letters, digits, '_', '-', '.'; not starting with '.')", parameter);
            }
        }

        return models.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Creates the engine without loading any model; <see cref="InferenceEngine.StartAsync"/> loads them. Until it has,
    /// the engine is not ready (<see cref="InferenceEngine.NotReadyReason"/> says the models are still loading) and
    /// answers every model with Unavailable, so a host can listen, and answer its liveness probe, while a large
    /// repository loads. Dispose the engine when done, started or not.
    /// </summary>
    public InferenceEngine Build()
    {
        if (_repository is not null && _backends.Count == 0)
        {
            throw new InvalidOperationException("No backend is registered; call UseOnnxRuntime() (Augur.OnnxRuntime) or AddBackend().");
        }

        var metrics = new EngineMetrics(_meterFactory);
        try
        {
            // The signal is given once and has no timer, so it needs no disposal.
            var stopWaiting = new CancellationTokenSource();
            // Always registered: without a resolver it tells a model that declares a source why it is not used.
            var precomputed = new PrecomputedStageFactory(_precomputed, new PrecomputedMetrics(metrics.Meter), _time, _loggerFactory);
            var loader = new RepositoryLoader(_backends.ToArray(), _time, _loggerFactory, metrics, stopWaiting.Token, [.. _stageFactories, precomputed], _defaultTimeout, _computeThreadFrom);
            var startupModels = _startupModels ?? [];
            Func<string, bool>? include = _modelControl == ModelControlMode.Explicit && !startupModels.Contains("*")
                ? name => startupModels.Contains(name, StringComparer.Ordinal)
                : null;
            var budget = _memoryBudget;
            return new InferenceEngine(
                new ModelSet(new Dictionary<string, ModelEntry>(StringComparer.Ordinal), _requiredModels),
                set => new ModelController(set, loader, _repository, _modelControl, _pollInterval, _time, _loggerFactory, include, budget is { } bytes ? new Engine.Budget.MemoryBudget(bytes, set, metrics.Meter) : null),
                _repository,
                _time,
                metrics,
                stopWaiting,
                [precomputed]);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the engine and loads every model of the repository (loading, instance creation and warm-up): <see cref="Build"/>
    /// then <see cref="InferenceEngine.StartAsync"/>. Models that fail are reported through <see cref="InferenceEngine.Models"/>;
    /// they do not make this throw. Throws <see cref="DirectoryNotFoundException"/> when the repository folder does not exist.
    /// </summary>
    public async Task<InferenceEngine> BuildAsync(CancellationToken cancellationToken = default)
    {
        var engine = Build();
        try
        {
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
