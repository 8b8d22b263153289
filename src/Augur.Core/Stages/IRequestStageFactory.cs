namespace Augur.Stages;

/// <summary>
/// Creates a version's stage of one kind when the version loads, or null when the version does not use it (its
/// config.json does not ask for it). Registered on <see cref="InferenceEngineBuilder"/>; a version's stages run in
/// ascending <see cref="Order"/> (see <see cref="StageOrder"/>), and the sequence stage, when the model has one, runs last.
/// </summary>
internal interface IRequestStageFactory
{
    /// <summary>Where the stage runs relative to other kinds; lower runs first (nearer the caller).</summary>
    int Order { get; }

    /// <summary>The stage for <paramref name="site"/>, or null. Throwing fails the version's load with the message.</summary>
    IRequestStage? Create(StageSite site);
}

/// <summary>The well-known positions of the engine's own stage kinds.</summary>
internal static class StageOrder
{
    /// <summary>The prediction cache: outermost, so a hit costs the least and every inner answer can be cached.</summary>
    public const int ResponseCache = 100;

    /// <summary>Precomputed predictions: after the cache, before anything that prepares inputs for the model.</summary>
    public const int Precomputed = 200;

    /// <summary>Online feature joins: just before the model.</summary>
    public const int Features = 300;
}
