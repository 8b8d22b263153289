using Augur.Models;

namespace Augur.Engine;

/// <summary>A model of the repository: its status and its ready versions, highest first.</summary>
internal sealed class ModelEntry(ModelStatus status, IReadOnlyList<LoadedVersion> ready, string platform)
{
    public ModelStatus Status { get; } = status;

    public IReadOnlyList<LoadedVersion> Ready { get; } = ready;

    public string Platform { get; } = platform;

    public LoadedVersion? Latest => Ready.Count > 0 ? Ready[0] : null;

    public LoadedVersion? Find(long version) => Ready.FirstOrDefault(v => v.Version == version);
}
