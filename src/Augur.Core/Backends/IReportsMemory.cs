namespace Augur.Backends;

/// <summary>
/// Implemented by an <see cref="IModel"/> that knows how much memory it holds (e.g. the resident set size of its worker
/// processes). The engine's memory budget (<see cref="InferenceEngineBuilder.UseMemoryBudget"/>) counts this for the
/// version; a model that does not implement it is counted as the byte size of its version folder's files.
/// </summary>
public interface IReportsMemory
{
    /// <summary>
    /// The bytes the loaded version holds now, all its instances together. Read when the engine decides what to unload
    /// and when metrics are collected, so it should be cheap and must not throw; 0 or less means "not known", and the
    /// engine then counts the version folder's size instead.
    /// </summary>
    long MemoryBytes { get; }
}
