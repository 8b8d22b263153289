using Augur.Backends;
using Augur.Models;
using Augur.Scheduling;

namespace Augur.Engine;

/// <summary>One ready model version: its served signature and the instances that execute it.</summary>
internal sealed class LoadedVersion(string name, long version, string platform, ModelSignature signature, int maxBatchSize, IModel model, InstancePool instances)
    : IAsyncDisposable
{
    public string Name { get; } = name;

    public long Version { get; } = version;

    public string VersionText { get; } = version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Platform { get; } = platform;

    public ModelSignature Signature { get; } = signature;

    public int MaxBatchSize { get; } = maxBatchSize;

    public InstancePool Instances { get; } = instances;

    public async ValueTask DisposeAsync()
    {
        await Instances.DisposeAsync().ConfigureAwait(false);
        model.Dispose();
    }
}
