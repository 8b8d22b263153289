using System.Collections.Concurrent;
using Augur.Diagnostics;
using Augur.Engine.Budget;
using Augur.Errors;

namespace Augur.Engine;

/// <summary>
/// Model control under a memory budget. Start-up loads nothing but the required models: every other model is published
/// as on demand and loads on its first request. A load first unloads idle models, least recently used first, until the
/// model is expected to fit; when that cannot be done (the others are in use or required) the load is refused with an
/// error naming the models in use, and nothing is unloaded. After a load, models are unloaded again while the real
/// sizes exceed the budget. Loads and unloads are ordinary changes: one at a time, validate-then-swap, and an unloaded
/// version is retired, so requests in flight on it finish.
/// </summary>
internal sealed partial class ModelController
{
    private readonly ConcurrentDictionary<string, Task<InferenceError?>> _onDemand = new(StringComparer.Ordinal);

    /// <summary>The memory budget; null when models load at start-up.</summary>
    public MemoryBudget? Budget { get; }

    /// <summary>
    /// Loads <paramref name="model"/>, published as on demand, unless a load of it is under way: then that load is
    /// returned, so concurrent first requests share one. Completes with null once the model is loaded, or once it is no
    /// longer on demand (loaded or unloaded meanwhile, or its load failed: its state says why); with the error when the
    /// budget refused the load or the engine is shutting down. No caller's cancellation stops the load.
    /// </summary>
    public Task<InferenceError?> LoadOnDemandAsync(string model)
    {
        while (true)
        {
            if (_onDemand.TryGetValue(model, out var running))
            {
                return running;
            }

            var load = new TaskCompletionSource<InferenceError?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_onDemand.TryAdd(model, load.Task))
            {
                // On a pool thread: the caller's wait (with its timeout) starts at once, whatever the backend does synchronously.
                _ = Task.Run(() => RunOnDemandAsync(model, load));
                return load.Task;
            }
        }
    }

    private async Task RunOnDemandAsync(string model, TaskCompletionSource<InferenceError?> done)
    {
        InferenceError? result;
        try
        {
            await _lock.WaitAsync(_stopping.Token).ConfigureAwait(false);
            try
            {
                result = await LoadOnDemandLockedAsync(model, _stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                _lock.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            result = BudgetErrors.ShuttingDown;
        }
        catch (Exception ex)
        {
            MemoryBudgetLog.LoadFailed(_logger, model, ex);
            result = InferenceError.Unavailable($"model '{model}' could not be loaded: {ex.Message}");
        }

        // Removed before the waiters resume: a request that finds the model on demand again starts a new load.
        _onDemand.TryRemove(new KeyValuePair<string, Task<InferenceError?>>(model, done.Task));
        done.TrySetResult(result);
    }

    private async Task<InferenceError?> LoadOnDemandLockedAsync(string model, CancellationToken cancellationToken)
    {
        if (!_set.Current.TryGetValue(model, out var entry) || entry.OnDemand is not { } demand)
        {
            return null;
        }

        var directory = Path.Combine(_repository!, model);
        if (!Directory.Exists(directory))
        {
            return BudgetErrors.NoFolder(model);
        }

        var budget = Budget!;
        if (await MakeRoomAsync(model, demand.ExpectedBytes).ConfigureAwait(false) is { } refused)
        {
            Publish(model, OnDemandEntries.WithReason(entry, $"not loaded, its last load was refused: {refused.Message}; it loads on its next request"));
            return refused;
        }

        MemoryBudgetLog.LoadingOnDemand(_logger, model, ByteSize.Format(demand.ExpectedBytes), ByteSize.Format(budget.BytesInUse()), ByteSize.Format(budget.Bytes));
        await ReloadAsync(model, directory, cancellationToken).ConfigureAwait(false);
        if (MarkLoaded(model))
        {
            budget.Metrics.LoadedOnDemand(model);
        }

        await EnforceAsync(model).ConfigureAwait(false);
        return null;
    }

    /// <summary>Start-up under a budget: every start-up model is published on demand, then the required ones are loaded.</summary>
    private async Task StartWithinBudgetAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_repository))
        {
            // A mistyped path must not start a server that answers "unknown model" to everything.
            throw new DirectoryNotFoundException($"The model repository '{_repository}' does not exist.");
        }

        MemoryBudgetLog.Lazy(_logger, ByteSize.Format(Budget!.Bytes));
        var entries = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        foreach (var name in ModelFolders().Order(StringComparer.Ordinal))
        {
            if (_startupModels is null || _startupModels(name))
            {
                entries[name] = OnDemandEntries.Create(name, Path.Combine(_repository!, name), OnDemandEntries.NotLoaded);
            }
        }

        _set.Publish(entries);
        try
        {
            foreach (var (name, entry) in entries)
            {
                if (entry.OnDemand is not null && Budget.IsPinned(entry))
                {
                    await LoadOnDemandLockedAsync(name, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // As a start-up without a budget, a failed start publishes nothing: what loaded is released.
            var loaded = _set.Current.Values.SelectMany(m => m.Ready).ToArray();
            _set.Publish(new Dictionary<string, ModelEntry>(StringComparer.Ordinal));
            foreach (var version in loaded)
            {
                await _set.RetireAsync(version).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>An explicit load under a budget: room is made first for a model that is not loaded.</summary>
    private async Task<InferenceError?> LoadWithinBudgetAsync(string model, string directory, CancellationToken cancellationToken)
    {
        _set.Current.TryGetValue(model, out var entry);
        if (entry?.Latest is null)
        {
            var need = (entry?.OnDemand ?? OnDemandEntries.Create(model, directory, OnDemandEntries.NotLoaded).OnDemand)?.ExpectedBytes ?? 0;
            if (await MakeRoomAsync(model, need).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
        }

        var error = await ReloadAsync(model, directory, cancellationToken).ConfigureAwait(false);
        MarkLoaded(model);
        await EnforceAsync(model).ConfigureAwait(false);
        return error;
    }

    /// <summary>
    /// A poll under a budget: a loaded model whose folder changed is reloaded (validate-then-swap); any other new or
    /// changed folder is published on demand, and loads on its next request (a required one loads now).
    /// </summary>
    private async Task<InferenceError?> PollWithinBudgetAsync(string name, string directory, CancellationToken cancellationToken)
    {
        if (_set.Current.TryGetValue(name, out var entry) && entry.Latest is not null)
        {
            var error = await ReloadAsync(name, directory, cancellationToken).ConfigureAwait(false);
            await EnforceAsync(name).ConfigureAwait(false);
            return error;
        }

        _seen[name] = RepositoryFingerprint.OfModel(directory);
        var onDemand = OnDemandEntries.Create(name, directory, OnDemandEntries.NotLoaded);
        Publish(name, onDemand);
        // A required model is not left for a request to load: the server is not ready without it.
        return onDemand.OnDemand is not null && Budget!.IsPinned(onDemand) ? await LoadOnDemandLockedAsync(name, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Unloads idle models, least recently used first, so that <paramref name="need"/> more bytes fit; or says why it cannot.</summary>
    private async Task<InferenceError?> MakeRoomAsync(string model, long need)
    {
        var budget = Budget!;
        if (!budget.TryPlan(model, need, out var unload, out var refusal))
        {
            budget.Metrics.Refused(model);
            MemoryBudgetLog.Refused(_logger, model, refusal!.Message);
            return refusal;
        }

        foreach (var name in unload)
        {
            await EvictAsync(name, model).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>After a load: unloads idle models while the real sizes exceed the budget, never <paramref name="keep"/>.</summary>
    private async Task EnforceAsync(string keep)
    {
        var budget = Budget!;
        while (budget.NextOverBudget(keep) is { } name)
        {
            await EvictAsync(name, keep).ConfigureAwait(false);
        }

        if (budget.BytesInUse() > budget.Bytes)
        {
            MemoryBudgetLog.OverBudget(_logger, ByteSize.Format(budget.BytesInUse()), ByteSize.Format(budget.Bytes));
        }
    }

    /// <summary>
    /// Publishes <paramref name="name"/> on demand (remembering what it held) and retires its versions: requests that
    /// resolved them before finish on them, and the last one disposes them.
    /// </summary>
    private async Task EvictAsync(string name, string forModel)
    {
        var entry = _set.Current[name];
        var bytes = MemoryBudget.BytesOf(entry);
        MemoryBudgetLog.Evicting(_logger, name, ByteSize.Format(bytes), forModel);
        Publish(name, OnDemandEntries.Create(name, Path.Combine(_repository!, name), OnDemandEntries.Unloaded, bytes));
        foreach (var version in entry.Ready)
        {
            await _set.RetireAsync(version).ConfigureAwait(false);
        }

        Budget!.Metrics.Evicted(name);
    }

    /// <summary>Marks a model just loaded as the most recently used; false when it did not load.</summary>
    private bool MarkLoaded(string model)
    {
        if (!_set.Current.TryGetValue(model, out var entry) || entry.Ready.Count == 0)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        foreach (var version in entry.Ready)
        {
            version.MarkUsed(now);
        }

        return true;
    }
}
