using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Augur.Baseline;

/// <summary>Opens one <see cref="InferenceSession"/> per model of a repository, for its highest numeric version.</summary>
internal sealed class ModelSessions : IDisposable
{
    private ModelSessions(Dictionary<string, LoadedModel> models) => Models = models;

    public IReadOnlyDictionary<string, LoadedModel> Models { get; }

    public static ModelSessions Load(string repository)
    {
        var models = new Dictionary<string, LoadedModel>(StringComparer.Ordinal);
        foreach (var modelDirectory in Directory.GetDirectories(repository))
        {
            var latest = Directory.GetDirectories(modelDirectory)
                .Select(d => (Folder: d, Version: long.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Folder, "model.onnx")))
                .MaxBy(d => d.Version);
            if (latest.Folder is null)
            {
                continue;
            }

            // Default options except one intra-op thread, as Augur runs each instance by default, so that a
            // comparison measures the serving path rather than thread counts.
            var options = new SessionOptions { IntraOpNumThreads = 1 };
            var session = new InferenceSession(Path.Combine(latest.Folder, "model.onnx"), options);
            var name = Path.GetFileName(modelDirectory);
            models[name] = new LoadedModel(latest.Version.ToString(CultureInfo.InvariantCulture), session, options);
            Console.WriteLine($"loaded {name} version {latest.Version}");
        }

        return new ModelSessions(models);
    }

    /// <summary>The repository's samples/models, found by walking up from the executable's folder.</summary>
    public static string FindSampleRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/models not found above the executable; pass --model-repository DIR");
    }

    public void Dispose()
    {
        foreach (var model in Models.Values)
        {
            model.Session.Dispose();
            model.Options.Dispose();
        }
    }
}
