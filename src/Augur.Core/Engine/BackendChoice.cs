using System.Text.Json;
using Augur.Backends;
using Augur.Models;

namespace Augur.Engine;

/// <summary>
/// Which backend loads a version: the one config.json names (<c>backend</c>) or the first whose files the folder holds;
/// for a model with an <c>isolation</c>, the isolating backend that serves it, told which backend its workers use.
/// </summary>
/// <param name="Loader">The backend the engine calls.</param>
/// <param name="Runner">The backend that runs the model file (the loader itself unless the model is isolated).</param>
internal sealed record BackendChoice(IModelBackend Loader, IModelBackend Runner)
{
    /// <summary>The load context's settings section and backend name for this choice.</summary>
    public ModelLoadContext Apply(ModelLoadContext context) => context with
    {
        Settings = context.Config.BackendSettings.TryGetValue(Loader.Name, out var section) ? section : default(JsonElement),
        Backend = Runner.Name,
    };

    /// <summary>Chooses for <paramref name="directory"/>, or says why no backend can load it.</summary>
    public static BackendChoice? Choose(IReadOnlyList<IModelBackend> backends, ModelConfig config, string directory, out string? problem)
    {
        var runners = backends.Where(b => b is not IIsolatingBackend).ToArray();
        if (config.BackendSettings.Keys.FirstOrDefault(name => !backends.Any(b => b.Name == name)) is { } unknown)
        {
            problem = $"backend_settings.{unknown}: no backend is named '{unknown}'; known: {Names(backends)}";
            return null;
        }

        IModelBackend? runner;
        if (config.Backend is { } named)
        {
            runner = runners.FirstOrDefault(b => b.Name == named);
            if (runner is null)
            {
                problem = $"backend '{named}' is not one this server has; known: {Names(runners)}";
                return null;
            }
        }
        else
        {
            runner = runners.FirstOrDefault(b => b.CanLoad(directory));
            if (runner is null)
            {
                problem = runners.Length == 0
                    ? "no backend is configured"
                    : $"no model file that a configured backend loads (expected {string.Join(" or ", runners.Select(b => $"{b.ExpectedFiles} for {b.Name}"))})";
                return null;
            }
        }

        if (config.Isolation == ModelConfig.InProcess)
        {
            problem = null;
            return new BackendChoice(runner, runner);
        }

        var isolating = backends.OfType<IIsolatingBackend>().FirstOrDefault(b => b.Isolation == config.Isolation);
        if (isolating is null)
        {
            var served = backends.OfType<IIsolatingBackend>().Select(b => b.Isolation).Prepend(ModelConfig.InProcess);
            problem = $"isolation '{config.Isolation}' is not available here; available: {string.Join(", ", served)}";
            return null;
        }

        problem = null;
        return new BackendChoice(isolating, runner);
    }

    private static string Names(IEnumerable<IModelBackend> backends) =>
        backends.Any() ? string.Join(", ", backends.Select(b => b.Name)) : "none";
}
