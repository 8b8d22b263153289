using Augur.Backends;
using Augur.OnnxRuntime.Diagnostics;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Sharing;
using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// Serves <c>model.onnx</c> files with ONNX Runtime on the CPU. Identical large initializers of the models it loads are
/// held once and shared by their sessions (<see cref="OnnxRuntimeOptions.ShareWeights"/>, design note 0012).
/// </summary>
public sealed class OnnxRuntimeBackend(OnnxRuntimeOptions options) : IModelBackend
{
    /// <summary>The file name looked for in a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The backend's name in config.json (<c>backend</c>, <c>backend_settings</c>).</summary>
    public const string BackendName = "onnxruntime";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string Platform => "onnxruntime_onnx";

    /// <inheritdoc />
    public string ExpectedFiles => ModelFileName;

    /// <summary>The initializers this backend's models share.</summary>
    internal SharedInitializerStore SharedInitializers { get; } = new(options.SharedWeightMinimumBytes);

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, ModelFileName));

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken) =>
        await LoadFileAsync(Path.Combine(context.VersionDirectory, ModelFileName), context, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Loads the ONNX graph at <paramref name="path"/> (in <see cref="ModelLoadContext.VersionDirectory"/>) as this
    /// backend loads model.onnx: the session settings resolved from the context's config and settings section, the weights
    /// shared through this backend's store. A pipeline's ONNX steps are loaded so.
    /// </summary>
    internal async ValueTask<OnnxModel> LoadFileAsync(string path, ModelLoadContext context, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var shared = Prepare(bytes, Path.GetFileName(path), context, out var settings);
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(new ModelFileBytes(path, bytes), settings, context, shared);
        }
        catch
        {
            shared.Dispose();
            throw;
        }

        if (settings.ShareWeights)
        {
            var totals = SharedInitializers.Totals;
            OnnxRuntimeLog.WeightsShared(context.LoggerFactory.CreateLogger("Augur.OnnxRuntime"), context.ModelName, context.Version,
                shared.AlreadyHeld, shared.Count, shared.AlreadyHeldBytes, shared.Bytes, totals.Count, totals.HeldBytes, totals.SavedBytes);
        }

        return model;
    }

    /// <summary>Parses the model once, checks its external data, resolves its settings and leases its shared weights.</summary>
    private SharedWeights Prepare(byte[] bytes, string fileName, ModelLoadContext context, out SessionSettings settings)
    {
        if (!OnnxModelFile.TryParse(bytes, out var model, out var problem, fileName))
        {
            throw new InvalidDataException(problem);
        }

        if (ExternalDataCheck.Check(model, context.VersionDirectory) is { } externalProblem)
        {
            throw new InvalidDataException(externalProblem);
        }

        settings = SessionSettings.Resolve(options, context.Config.Parameters, context.Settings);
        if (!settings.ShareWeights)
        {
            return SharedWeights.None;
        }

        SharedWeightMetrics.Track(context.Meter, SharedInitializers);
        return SharedInitializers.Acquire(ShareableInitializers.Find(model, SharedInitializers.MinimumBytes));
    }
}
