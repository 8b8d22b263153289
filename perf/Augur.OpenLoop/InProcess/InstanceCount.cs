using System.Text.Json;

namespace Augur.OpenLoop.InProcess;

/// <summary>
/// A model's <c>instance_count</c> from its config.json (1 without one): the default concurrency, since a model with N
/// instances runs at most N requests at once. Read from the file because the engine does not expose it.
/// </summary>
internal static class InstanceCount
{
    public static int Read(string repository, string model)
    {
        var config = Path.Combine(repository, model, "config.json");
        if (!File.Exists(config))
        {
            return 1;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(config));
        return document.RootElement.TryGetProperty("instance_count", out var count) ? count.GetInt32() : 1;
    }
}
