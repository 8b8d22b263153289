using System.Diagnostics.CodeAnalysis;
using Augur.Diagnostics;
using Augur.Engine;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Sequences;
using Augur.Tensors;

namespace Augur;

/// <summary>
/// Serves the models of a repository. Thread-safe; every front door (REST, CLI, your own code) calls
/// the same methods. Create one with <see cref="InferenceEngineBuilder"/> and dispose it when done.
/// </summary>
/// <example>
/// <code>
/// await using var engine = await new InferenceEngineBuilder().UseModelRepository("samples/models").UseOnnxRuntime().BuildAsync();
/// var response = await engine.InferAsync(new InferenceRequest("fraud", [InferenceTensor.Create("features", features, 1, 8)]));
/// float probability = response["probability"].AsSpan&lt;float&gt;()[0];
/// </code>
/// </example>
public sealed partial class InferenceEngine : IAsyncDisposable
{
    private readonly ModelSet _set;
    private readonly ModelController _controller;
    private readonly TimeProvider _time;
    private readonly EngineMetrics _metrics;
    private readonly CancellationTokenSource _stopWaiting;
    private readonly IReadOnlyList<IAsyncDisposable> _owned;
    private int _disposed;

    internal InferenceEngine(ModelSet set, Func<ModelSet, ModelController> controller, string? repository, TimeProvider time, EngineMetrics metrics, CancellationTokenSource stopWaiting, IReadOnlyList<IAsyncDisposable>? owned = null)
    {
        _owned = owned ?? [];
        _set = set;
        _controller = controller(set);
        _time = time;
        _metrics = metrics;
        _stopWaiting = stopWaiting;
        Repository = repository;
    }

    /// <summary>
    /// The name of the engine's <see cref="System.Diagnostics.Metrics.Meter"/>: request counts and durations, queue and
    /// compute time, batch sizes with their dispatch reason, queue depth, instance use, tagged by model and version.
    /// </summary>
    public const string MeterName = EngineMetrics.MeterName;

    /// <summary>
    /// This engine's meter (named <see cref="MeterName"/>). Engines built without a meter factory each have their own,
    /// so an exporter that should see one engine only can select its instruments by this meter. Engines built with the
    /// same <see cref="System.Diagnostics.Metrics.IMeterFactory"/> share the factory's meter and its instruments.
    /// </summary>
    public System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <summary>The repository folder the models were loaded from, if any.</summary>
    public string? Repository { get; }

    /// <summary>The clock the engine runs on (<see cref="InferenceEngineBuilder.UseTimeProvider"/>); hosts time their own waits with it.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>
    /// True from the end of start-up (<see cref="IsStarted"/>) until the engine is disposed, as long as every required
    /// model is ready (see <see cref="NotReadyReason"/>); other models that failed to load do not make the engine unready.
    /// </summary>
    public bool IsReady => Volatile.Read(ref _disposed) == 0 && NotReadyReason is null;

    /// <summary>
    /// Every loaded model with its state, sorted by name: every model of the repository, except in explicit model
    /// control mode, where only those loaded (see <see cref="RepositoryIndex"/> for every folder).
    /// </summary>
    public IReadOnlyList<ModelStatus> Models => _set.Current.Values.Select(m => m.Status).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The plan of every ready version (of <paramref name="model"/> only, when given), by model name and version: what
    /// its backend runs and shares with the others (<see cref="Backends.IExplainsPlan"/>).
    /// </summary>
    public IReadOnlyList<VersionPlan> Plans(string? model = null) =>
        _set.Current.Values
            .SelectMany(m => m.Ready)
            .Where(v => model is null || v.Name == model)
            .OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.Version)
            .Select(v => new VersionPlan(v.Name, v.Version, v.Platform, v.Plan))
            .ToArray();

    /// <summary>Describes a model (the highest ready version when <paramref name="version"/> is null).</summary>
    public bool TryGetMetadata(string model, string? version, out ModelMetadata metadata, out InferenceError? error)
    {
        metadata = null!;
        if (!TryResolve(model, version, out var loaded, out error))
        {
            return false;
        }

        // The set may have changed since the lookup (a swap, an unload): report what serves now, or at least this version.
        var serving = _set.Current.TryGetValue(model, out var entry) ? entry.Ready : [loaded];
        metadata = new ModelMetadata(model, serving.Select(v => v.VersionText).ToArray(), loaded.Platform, Copy(loaded.Signature), loaded.MaxBatchSize);
        return true;
    }

    // Shapes are arrays; callers get their own so the served signature cannot be changed from outside.
    private static ModelSignature Copy(ModelSignature signature) => new(
        signature.Inputs.Select(t => t with { Shape = t.Shape.ToArray() }).ToArray(),
        signature.Outputs.Select(t => t with { Shape = t.Shape.ToArray() }).ToArray());

    /// <summary>Null when the model (or version) is ready to serve; otherwise why not (including no instance up, e.g. its workers restarting).</summary>
    public InferenceError? CheckReady(string model, string? version)
    {
        if (!TryResolve(model, version, out var loaded, out var error))
        {
            return error;
        }

        var health = loaded.Health;
        return health.IsReady ? null : InferenceError.Unavailable($"model '{model}' version {loaded.VersionText} is not ready: {health.Reason}");
    }

    /// <summary>Null when the model (or version) is loaded, whatever its instances' health; otherwise why not.</summary>
    private InferenceError? CheckLoaded(string model, string? version) => TryResolve(model, version, out _, out var error) ? null : error;

    /// <summary>
    /// Runs one inference. Expected failures (bad input, unknown model, ...) are returned, not thrown.
    /// The model runs on the calling thread when an instance is free (the call then completes synchronously);
    /// to use several instances from one caller, issue the calls from several threads (e.g. <c>Task.Run</c>).
    /// </summary>
    public ValueTask<InferenceResult> TryInferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrival = _time.GetTimestamp();
        if (MustWaitItsTurn(request))
        {
            return InferAfterLoadAsync(request, null, arrival, cancellationToken);
        }

        if (!TryLease(request, arrival, out var version, out var error))
        {
            // Under a memory budget a model that is not loaded loads now, and the request waits for it within its timeout.
            return OnDemandOf(request.ModelName, error) is { } demand
                ? InferAfterLoadAsync(request, demand, arrival, cancellationToken)
                : ValueTask.FromResult<InferenceResult>(error);
        }

        return RunLeasedAsync(request, version, arrival, cancellationToken);
    }

    /// <summary>Resolves the request's version and takes a reference on it for the request; false with the error otherwise.</summary>
    private bool TryLease(InferenceRequest request, long arrival, out LoadedVersion version, [NotNullWhen(false)] out InferenceError? error)
    {
        do
        {
            if (!TryResolve(request.ModelName, request.ModelVersion, out version, out var problem))
            {
                error = problem!;
                return false;
            }
        }
        while (!version.Lease.TryAcquire()); // Swapped out since the lookup: the next lookup finds its successor.

        if (_controller.Budget is not null)
        {
            version.MarkUsed(arrival);
        }

        error = null;
        return true;
    }

    /// <summary>Validates and runs a request on the version it leased; the lease is released when it ends.</summary>
    private ValueTask<InferenceResult> RunLeasedAsync(InferenceRequest request, LoadedVersion version, long arrival, CancellationToken cancellationToken)
    {
        var error = SequenceRules.CheckBefore(request, version) ?? RequestValidator.Validate(request, version) ?? SequenceRules.CheckAfter(request, version);
        if (error is not null)
        {
            version.Scheduler.Metrics.RequestCompleted(error.Code, _time.GetElapsedTime(arrival));
            var released = _set.ReleaseAsync(version);
            return released.IsCompletedSuccessfully ? ValueTask.FromResult<InferenceResult>(error) : FailAfterAsync(released, error);
        }

        return ExecuteAsync(request, version, arrival, cancellationToken);
    }

    private static async ValueTask<InferenceResult> FailAfterAsync(ValueTask released, InferenceError error)
    {
        await released.ConfigureAwait(false);
        return error;
    }

    /// <summary>Runs one inference; throws <see cref="InferenceException"/> on failure.</summary>
    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        (await TryInferAsync(request, cancellationToken).ConfigureAwait(false)).GetResponseOrThrow();

    private async ValueTask<InferenceResult> ExecuteAsync(InferenceRequest request, LoadedVersion version, long arrival, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await version.Pipeline.ExecuteAsync(request, version, arrival, cancellationToken).ConfigureAwait(false);
            version.Scheduler.Metrics.RequestCompleted(outcome.Error?.Code, _time.GetElapsedTime(arrival));
            if (outcome.Error is not null)
            {
                return outcome.Error;
            }

            return new InferenceResponse(version.Name, version.VersionText, request.Id, SelectOutputs(request, version, outcome.Outputs!), outcome.Timings)
            {
                PredictionSource = outcome.Source ?? (version.Pipeline.AnswersWithoutModel ? PredictionSources.Model : null),
            };
        }
        finally
        {
            // The version a request started on stays alive until it ends, even when a swap retired it meanwhile.
            await _set.ReleaseAsync(version).ConfigureAwait(false);
        }
    }

    private static IReadOnlyList<InferenceTensor> SelectOutputs(InferenceRequest request, LoadedVersion version, IReadOnlyList<InferenceTensor> all)
    {
        var requested = request.RequestedOutputs;
        if (requested is null)
        {
            return all;
        }

        // The scheduler's outcome holds every output in signature order; a stage's answer may hold only those asked for.
        var complete = all.Count == version.Signature.Outputs.Count;
        var selected = new InferenceTensor[requested.Count];
        for (var i = 0; i < selected.Length; i++)
        {
            selected[i] = complete ? all[version.Signature.IndexOfOutput(requested[i])] : all.First(o => o.Name == requested[i]);
        }

        return selected;
    }

    private bool TryResolve(string model, string? version, out LoadedVersion loaded, out InferenceError? error)
    {
        loaded = null!;
        if (Volatile.Read(ref _disposed) != 0)
        {
            error = InferenceError.Unavailable("the engine is shutting down");
            return false;
        }

        if (!_set.Current.TryGetValue(model, out var entry))
        {
            // Before start-up has loaded the repository no name is known to be unknown: the model may be on its way.
            error = IsStarted ? InferenceError.NotFound($"unknown model '{model}'") : InferenceError.Unavailable($"model '{model}' is not ready: {StillLoading}");
            return false;
        }

        if (version is null)
        {
            loaded = entry.Latest!;
            error = loaded is null ? InferenceError.Unavailable($"model '{model}' is not ready: {entry.Status.Reason}") : null;
            return loaded is not null;
        }

        if (!ModelNames.TryParseVersion(version, out var number))
        {
            error = InferenceError.Invalid($"model version '{version}' is not a positive integer");
            return false;
        }

        loaded = entry.Find(number)!;
        if (loaded is not null)
        {
            error = null;
            return true;
        }

        if (entry.Status.Versions.Count == 0)
        {
            // The model failed before any version was tried (bad config.json, no version folders): that is the answer.
            error = InferenceError.Unavailable($"model '{model}' is not ready: {entry.Status.Reason}");
            return false;
        }

        var failed = entry.Status.Versions.FirstOrDefault(v => v.Version == number);
        error = failed is not null
            ? InferenceError.Unavailable($"model '{model}' version {number} is not ready: {failed.Reason}")
            : InferenceError.NotFound($"model '{model}' has no version {number}" + (entry.Ready.Count > 0 ? $" (serving: {string.Join(", ", entry.Ready.Select(v => v.Version))})" : string.Empty));
        return false;
    }

    /// <summary>
    /// Shutdown began: from now on no model holds requests back to fill a batch. What each model has queued goes to
    /// its idle instances at once (dispatch reason <c>shutdown</c>) instead of waiting out its max queue delay, the
    /// rest as instances come back, and so does every request that arrives later, on models loaded later too.
    /// Requests are still admitted and answered; <see cref="DisposeAsync"/> stops serving. A host calls this when it
    /// starts draining requests in flight, so the drain is not spent waiting for peers. Idempotent.
    /// </summary>
    public void StopWaitingForPeers()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _stopWaiting.Cancel();
        }
    }

    /// <summary>Stops serving and releases every model.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _controller.DisposeAsync().ConfigureAwait(false);
        await _set.DisposeAllAsync().ConfigureAwait(false);

        // What stages share across versions (precomputed stores), once no version can use it any more.
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
    }
}
