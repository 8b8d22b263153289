using Augur.Errors;
using Augur.Models;

namespace Augur;

/// <summary>Model control: the repository index, load, unload and polling, and readiness of required models.</summary>
public sealed partial class InferenceEngine
{
    /// <summary>How the model set may change while the engine runs (set with <see cref="InferenceEngineBuilder.UseModelControl"/>).</summary>
    public ModelControlMode ModelControl => _controller.Mode;

    /// <summary>
    /// Null when start-up is done and every required model is ready; otherwise why not (the models are still loading,
    /// or which required model is not ready and why). A model is required when its config.json says
    /// <c>"required": true</c> or the builder named it (<see cref="InferenceEngineBuilder.RequireModels"/>).
    /// </summary>
    public string? NotReadyReason
    {
        get
        {
            if (!IsStarted)
            {
                return StillLoading;
            }

            var current = _set.Current;
            foreach (var name in _set.RequiredModels)
            {
                if (!current.TryGetValue(name, out var entry))
                {
                    return $"required model '{name}' is not loaded";
                }

                if (entry.Latest is null)
                {
                    return $"required model '{name}' is not ready: {entry.Status.Reason}";
                }
            }

            foreach (var entry in current.Values)
            {
                if (entry.Required && entry.Latest is null)
                {
                    return $"required model '{entry.Status.Name}' is not ready: {entry.Status.Reason}";
                }
            }

            return null;
        }
    }

    /// <summary>Every model folder of the repository and every served model, one row per version (Triton's repository index).</summary>
    public IReadOnlyList<RepositoryIndexEntry> RepositoryIndex() => _controller.Index();

    /// <summary>
    /// Loads (or reloads) <paramref name="model"/> from its repository folder; <see cref="ModelControlMode.Explicit"/> only.
    /// New or changed versions are loaded and warmed up beside the serving ones, then swapped in at once; requests in
    /// flight finish on the version they started on. When any version fails, nothing changes and the error says why.
    /// The model is named, never given as a path: no file outside the repository's model folder is read.
    /// </summary>
    /// <returns>Null on success; otherwise the error (invalid name or mode, no such folder, or why the load failed).</returns>
    public Task<InferenceError?> LoadModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _controller.LoadAsync(model, cancellationToken);
    }

    /// <summary>
    /// Stops serving <paramref name="model"/>; <see cref="ModelControlMode.Explicit"/> only. Requests in flight finish,
    /// then its versions are released. Unloading a model that is not loaded succeeds.
    /// </summary>
    public Task<InferenceError?> UnloadModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _controller.UnloadAsync(model, cancellationToken);
    }

    /// <summary>
    /// Compares the repository with what is served and applies the differences now (what poll mode does on its timer):
    /// new model folders are loaded, changed ones reloaded, removed ones unloaded. Returns how many models it changed
    /// or tried to. Works in every mode; it is the caller's choice to use it outside poll mode.
    /// </summary>
    public Task<int> PollRepositoryAsync(CancellationToken cancellationToken = default) => _controller.PollAsync(cancellationToken);

    /// <summary>How many versions were swapped out or unloaded and still run requests (disposed when those end).</summary>
    public int RetiringVersions => _set.RetiringCount;
}
