using Augur.Models;

namespace Augur.Engine.Budget;

/// <summary>
/// The model set's entries for models a memory budget keeps unloaded: no ready version, state UNAVAILABLE, a reason that
/// says the model loads on its next request, and what that load needs (<see cref="OnDemandModel"/>).
/// </summary>
internal static class OnDemandEntries
{
    /// <summary>The reason of a model not loaded yet.</summary>
    public const string NotLoaded = "not loaded: the memory budget loads it on its first request";

    /// <summary>The reason of a model unloaded to make room for another.</summary>
    public const string Unloaded = "unloaded to stay within the memory budget: it loads again on its next request";

    /// <summary>
    /// The entry of <paramref name="name"/> in <paramref name="directory"/>, reading its config.json (for
    /// <c>required</c>, the version policy and the default timeout). A config.json that does not parse gives a failed
    /// entry with the problem, as a load would: the model is not loaded on demand until the file is fixed (a poll, or
    /// an explicit load, looks again).
    /// </summary>
    /// <param name="name">The model name.</param>
    /// <param name="directory">The model folder.</param>
    /// <param name="reason">The status reason (<see cref="NotLoaded"/> or <see cref="Unloaded"/>).</param>
    /// <param name="knownBytes">What the model held when it was unloaded; null estimates from its files.</param>
    public static ModelEntry Create(string name, string directory, string reason, long? knownBytes = null)
    {
        var config = ModelConfig.Empty;
        var configPath = Path.Combine(directory, ModelConfigReader.FileName);
        try
        {
            if (File.Exists(configPath) && !ModelConfigReader.TryParse(File.ReadAllText(configPath), out config, out var problem))
            {
                return Failed(name, problem!);
            }
        }
        catch (IOException ex)
        {
            return Failed(name, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Failed(name, ex.Message);
        }

        var bytes = knownBytes ?? ModelFootprint.OfModel(directory, config.VersionPolicy);
        return new ModelEntry(new ModelStatus(name, ModelState.Unavailable, reason, []), [], string.Empty)
        {
            Required = config.Required,
            OnDemand = new OnDemandModel(bytes, config.DynamicBatching.DefaultTimeout),
        };
    }

    /// <summary>The same on-demand entry with another reason (why its last load was refused).</summary>
    public static ModelEntry WithReason(ModelEntry entry, string reason) => entry.WithStatus(entry.Status with { Reason = reason });

    private static ModelEntry Failed(string name, string problem) =>
        new(new ModelStatus(name, ModelState.Unavailable, problem, []), [], string.Empty);
}
