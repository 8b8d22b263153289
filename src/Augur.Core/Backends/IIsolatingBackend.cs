namespace Augur.Backends;

/// <summary>
/// A backend that runs models away from the engine's process (in worker processes, in another container), loading each
/// with another backend named in <see cref="ModelLoadContext.Backend"/>. It serves the models whose config.json asks for
/// its <see cref="Isolation"/> (<c>"isolation": "process"</c>).
/// </summary>
public interface IIsolatingBackend : IModelBackend
{
    /// <summary>The config.json <c>isolation</c> value this backend serves, e.g. <c>process</c>.</summary>
    string Isolation { get; }
}
