namespace Augur.Backends;

/// <summary>
/// A kind of model Augur can serve (e.g. ONNX Runtime). The lifecycle of what it loads is explicit:
/// <see cref="LoadAsync"/> → <see cref="IModel.CreateInstanceAsync"/> → warm-up and
/// <see cref="IModelInstance.ExecuteAsync"/> (batches) → disposal of the instances, then of the model.
/// </summary>
public interface IModelBackend
{
    /// <summary>
    /// The name config.json chooses the backend by (<c>"backend": "onnxruntime"</c>) and names its settings section by
    /// (<c>"backend_settings": { "onnxruntime": { ... } }</c>). Lower case, unique among an engine's backends.
    /// </summary>
    string Name { get; }

    /// <summary>The platform name reported in model metadata, e.g. <c>onnxruntime_onnx</c>.</summary>
    string Platform { get; }

    /// <summary>What a version folder holds for this backend, for messages (e.g. <c>model.onnx</c>).</summary>
    string ExpectedFiles { get; }

    /// <summary>
    /// True when the version folder holds a model this backend loads (e.g. a <c>model.onnx</c> file). Used to choose a
    /// backend for models whose config.json names none.
    /// </summary>
    bool CanLoad(string versionDirectory);

    /// <summary>
    /// Loads one model version. Throw with a message that says what is wrong with the model (or with its settings
    /// section, <see cref="ModelLoadContext.Settings"/>); the engine reports it as the version's reason for being
    /// unavailable and serves the other models.
    /// </summary>
    ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken);
}
