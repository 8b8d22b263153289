using Augur.Diagnostics;
using Augur.Engine.Budget;
using Augur.Errors;
using Augur.Models;
using Microsoft.Extensions.Logging;

namespace Augur.Engine;

/// <summary>
/// Changes the engine's model set while it serves: explicit load and unload, and repository polling. One change runs
/// at a time. Every change is validate-then-swap: the new versions are loaded and warmed up beside the old ones, the
/// set is published in one write, and the old versions are retired (disposed when their last request ends). A reload
/// in which any version fails publishes nothing: the old versions keep serving and the index reports why.
/// </summary>
internal sealed partial class ModelController : IAsyncDisposable
{
    private readonly ModelSet _set;
    private readonly RepositoryLoader _loader;
    private readonly string? _repository;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, string> _seen = new(StringComparer.Ordinal);
    private readonly Func<string, bool>? _startupModels;
    private ITimer? _timer;
    private volatile bool _started;

    /// <summary>
    /// A controller of <paramref name="set"/>; <paramref name="startupModels"/> picks what <see cref="StartAsync"/> loads
    /// (null: every model). Under a <paramref name="budget"/> models load on their first request instead (see the budget part).
    /// </summary>
    public ModelController(ModelSet set, RepositoryLoader loader, string? repository, ModelControlMode mode, TimeSpan pollInterval, TimeProvider time, ILoggerFactory loggerFactory, Func<string, bool>? startupModels, MemoryBudget? budget = null)
    {
        Budget = budget;
        _set = set;
        _loader = loader;
        _repository = repository;
        Mode = mode;
        _pollInterval = pollInterval;
        _time = time;
        _logger = loggerFactory.CreateLogger("Augur.ModelControl");
        _startupModels = startupModels;
    }

    public ModelControlMode Mode { get; }

    /// <summary>
    /// The first change: loads the start-up models and publishes them; in poll mode it then records their fingerprints
    /// and starts the poll timer. Loads, unloads and polls asked for meanwhile wait for it, like any change.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_repository is null)
        {
            _started = true;
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _lock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            if (Budget is null)
            {
                _set.Publish(await _loader.LoadAsync(_repository, linked.Token, _startupModels).ConfigureAwait(false));
            }
            else
            {
                await StartWithinBudgetAsync(linked.Token).ConfigureAwait(false);
            }

            _started = true;
            if (Mode == ModelControlMode.Poll && !_stopping.IsCancellationRequested)
            {
                foreach (var name in _set.Current.Keys)
                {
                    _seen[name] = RepositoryFingerprint.OfModel(Path.Combine(_repository, name));
                }

                _timer = _time.CreateTimer(static state => _ = ((ModelController)state!).PollFromTimerAsync(), this, _pollInterval, _pollInterval);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Loads or reloads <paramref name="model"/> from its repository folder (explicit mode only).</summary>
    public async Task<InferenceError?> LoadAsync(string model, CancellationToken cancellationToken)
    {
        if (CheckRequest(model) is { } refused)
        {
            return refused;
        }

        var directory = Path.Combine(_repository!, model);
        if (!Directory.Exists(directory))
        {
            return InferenceError.NotFound($"the model repository has no folder '{model}'");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _lock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            return await (Budget is null ? ReloadAsync(model, directory, linked.Token) : LoadWithinBudgetAsync(model, directory, linked.Token)).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops serving <paramref name="model"/> (explicit mode only); in-flight requests finish first. Unloading a model that is not loaded succeeds.</summary>
    public async Task<InferenceError?> UnloadAsync(string model, CancellationToken cancellationToken)
    {
        if (CheckRequest(model) is { } refused)
        {
            return refused;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _lock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            await RemoveAsync(model).ConfigureAwait(false);
            return null;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Compares the repository with what is served: loads new model folders, reloads changed ones, unloads removed
    /// ones. Returns how many models it changed or tried to. Poll mode runs it on a timer; tests call it directly.
    /// </summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        if (_repository is null)
        {
            return 0;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _lock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            return await PollLockedAsync(linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Every model folder of the repository and every served model, with each version's state.</summary>
    public IReadOnlyList<RepositoryIndexEntry> Index()
    {
        var current = _set.Current;
        var names = new SortedSet<string>(current.Keys, StringComparer.Ordinal);
        foreach (var name in ModelFolders())
        {
            names.Add(name);
        }

        var rows = new List<RepositoryIndexEntry>();
        foreach (var name in names)
        {
            if (!current.TryGetValue(name, out var entry))
            {
                var loading = !_started && (_startupModels is null || _startupModels(name));
                rows.Add(new RepositoryIndexEntry(name, null, ModelState.Unavailable, loading ? "loading" : "unloaded"));
                continue;
            }

            if (entry.Status.Versions.Count == 0)
            {
                rows.Add(new RepositoryIndexEntry(name, null, entry.Status.State, entry.Status.Reason ?? string.Empty));
                continue;
            }

            rows.AddRange(entry.Status.Versions.Select(v => new RepositoryIndexEntry(name, v.Version, v.State, v.Reason ?? string.Empty)));
        }

        return rows;
    }

    private InferenceError? CheckRequest(string model)
    {
        if (Mode != ModelControlMode.Explicit)
        {
            return InferenceError.Invalid(Mode == ModelControlMode.Poll
                ? "model control mode is 'poll': the repository decides what is served, so load and unload requests are refused"
                : "model control mode is 'none': load and unload requests are refused (start the server with model control mode 'explicit')");
        }

        if (_repository is null)
        {
            return InferenceError.Invalid("the engine has no model repository");
        }

        return ModelNames.IsValid(model)
            ? null
            : InferenceError.Invalid($"'{model}' is not a valid model name (letters, digits, '_', '-', '.'; not starting with '.')");
    }

    private IEnumerable<string> ModelFolders() =>
        _repository is null || !Directory.Exists(_repository)
            ? []
            : Directory.EnumerateDirectories(_repository).Select(Path.GetFileName).Where(ModelNames.IsValid).Cast<string>();

    private async Task<int> PollLockedAsync(CancellationToken cancellationToken)
    {
        var folders = ModelFolders().ToHashSet(StringComparer.Ordinal);
        var changes = 0;
        foreach (var gone in _set.Current.Keys.Where(name => !folders.Contains(name)).ToArray())
        {
            await RemoveAsync(gone).ConfigureAwait(false);
            changes++;
        }

        foreach (var name in folders.Order(StringComparer.Ordinal))
        {
            var directory = Path.Combine(_repository!, name);
            if (_seen.TryGetValue(name, out var seen) && seen == RepositoryFingerprint.OfModel(directory))
            {
                continue;
            }

            await (Budget is null ? ReloadAsync(name, directory, cancellationToken) : PollWithinBudgetAsync(name, directory, cancellationToken)).ConfigureAwait(false);
            changes++;
        }

        return changes;
    }

    private async Task<InferenceError?> ReloadAsync(string name, string directory, CancellationToken cancellationToken)
    {
        _set.Current.TryGetValue(name, out var old);
        _seen[name] = RepositoryFingerprint.OfModel(directory);
        ModelEntry next;
        try
        {
            next = await _loader.LoadModelAsync(name, directory, cancellationToken, old).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            next = new ModelEntry(new ModelStatus(name, ModelState.Unavailable, ex.Message, []), [], string.Empty);
        }

        var failures = next.Status.Versions.Where(v => v.State != ModelState.Ready).ToArray();
        var reason = next.Status.Reason ?? string.Join("; ", failures.Select(v => $"version {v.Version}: {v.Reason}"));
        var failed = next.Status.State != ModelState.Ready || failures.Length > 0;
        if (failed && old?.Latest is not null)
        {
            // Validate-then-swap: nothing of a failed reload is published; what served before keeps serving.
            foreach (var fresh in next.Ready.Where(v => !old.Ready.Contains(v)))
            {
                await fresh.DisposeAsync().ConfigureAwait(false);
            }

            Publish(name, old.WithStatus(KeepServing(old.Status, next.Status, reason)));
            ModelControlLog.ReloadFailed(_logger, name, reason);
            return InferenceError.Invalid($"failed to load model '{name}': {reason}; the previous version(s) keep serving");
        }

        Publish(name, next);
        if (old is not null)
        {
            foreach (var retired in old.Ready.Where(v => !next.Ready.Contains(v)))
            {
                await _set.RetireAsync(retired).ConfigureAwait(false);
            }
        }

        if (next.Ready.Count > 0)
        {
            ModelControlLog.Swapped(_logger, name, string.Join(", ", next.Ready.Select(v => v.VersionText)));
        }

        return failed ? InferenceError.Invalid($"failed to load model '{name}': {reason}") : null;
    }

    /// <summary>The status of a model whose reload failed: its serving versions, plus the failed ones with their reasons.</summary>
    private static ModelStatus KeepServing(ModelStatus serving, ModelStatus attempted, string reason)
    {
        var versions = serving.Versions.Where(v => v.State == ModelState.Ready)
            .Select(v => attempted.Versions.FirstOrDefault(a => a.Version == v.Version && a.State != ModelState.Ready) is { } failedToo
                ? v with { Reason = $"reload failed, still serving the previous files: {failedToo.Reason}" }
                : v)
            .Concat(attempted.Versions.Where(a => a.State != ModelState.Ready && !serving.Versions.Any(v => v.Version == a.Version && v.State == ModelState.Ready)))
            .OrderByDescending(v => v.Version)
            .ToArray();
        return serving with { Reason = $"reload failed, still serving the previous version(s): {reason}", Versions = versions };
    }

    private void Publish(string name, ModelEntry entry)
    {
        var next = new Dictionary<string, ModelEntry>(_set.Current, StringComparer.Ordinal) { [name] = entry };
        _set.Publish(next);
    }

    private async Task RemoveAsync(string name)
    {
        _seen.Remove(name);
        var current = _set.Current;
        if (!current.TryGetValue(name, out var old))
        {
            return;
        }

        var next = new Dictionary<string, ModelEntry>(current, StringComparer.Ordinal);
        next.Remove(name);
        _set.Publish(next);
        foreach (var version in old.Ready)
        {
            await _set.RetireAsync(version).ConfigureAwait(false);
        }

        ModelControlLog.Unloaded(_logger, name);
    }

    private async Task PollFromTimerAsync()
    {
        // A poll still running when the timer fires again is not queued behind: the next tick will look again.
        if (!await _lock.WaitAsync(0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await PollLockedAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            ModelControlLog.PollFailed(_logger, ex);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops polling and waits for a change in progress to finish (or be cancelled).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            // A start-up that finished while this waited may have started the timer after the first look.
            if (_timer is not null)
            {
                await _timer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
