namespace Augur.Backends;

/// <summary>
/// A kind of model Augur can serve (e.g. ONNX Runtime). The lifecycle of what it loads is explicit:
/// <see cref="LoadAsync"/> → <see cref="IModel.CreateInstance"/> → warm-up and
/// <see cref="IModelInstance.ExecuteAsync"/> (batches) → dispose.
/// </summary>
public interface IModelBackend
{
    /// <summary>The platform name reported in model metadata, e.g. <c>onnxruntime_onnx</c>.</summary>
    string Platform { get; }

    /// <summary>True when the version folder holds a model this backend loads (e.g. a <c>model.onnx</c> file).</summary>
    bool CanLoad(string versionDirectory);

    /// <summary>
    /// Loads one model version. Throw with a message that says what is wrong with the model;
    /// the engine reports it as the version's reason for being unavailable and serves the other models.
    /// </summary>
    ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken);
}
