using Augur.Engine.Budget;
using Augur.Models;

namespace Augur.Engine;

/// <summary>A model of the repository: its status and its ready versions, highest first. Immutable: a reload builds a new entry.</summary>
internal sealed class ModelEntry(ModelStatus status, IReadOnlyList<LoadedVersion> ready, string platform)
{
    public ModelStatus Status { get; } = status;

    public IReadOnlyList<LoadedVersion> Ready { get; } = ready;

    public string Platform { get; } = platform;

    /// <summary>True when config.json says <c>"required": true</c>: the server is not ready until this model is.</summary>
    public bool Required { get; init; }

    /// <summary>Identifies the config.json the entry was loaded with; versions are reused by a reload only when it is unchanged.</summary>
    public string ConfigFingerprint { get; init; } = string.Empty;

    /// <summary>
    /// Set on a model the memory budget has not loaded (or has unloaded): it has no ready version and loads on its next
    /// request. Null on every loaded model and on one that failed to load.
    /// </summary>
    public OnDemandModel? OnDemand { get; init; }

    public LoadedVersion? Latest => Ready.Count > 0 ? Ready[0] : null;

    public LoadedVersion? Find(long version) => Ready.FirstOrDefault(v => v.Version == version);

    /// <summary>The same versions with another status (a failed reload reports its reason on the entry that keeps serving).</summary>
    public ModelEntry WithStatus(ModelStatus status) => new(status, Ready, Platform) { Required = Required, ConfigFingerprint = ConfigFingerprint, OnDemand = OnDemand };
}
