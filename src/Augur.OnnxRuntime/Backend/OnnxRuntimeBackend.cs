using Augur.Backends;

namespace Augur.OnnxRuntime.Backend;

/// <summary>Serves <c>model.onnx</c> files with ONNX Runtime on the CPU.</summary>
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

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, ModelFileName));

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(context.VersionDirectory, ModelFileName), cancellationToken).ConfigureAwait(false);
        if (Onnx.ExternalDataCheck.Check(bytes, context.VersionDirectory) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        return OnnxModel.Load(bytes, SessionSettings.Resolve(options, context.Config.Parameters, context.Settings), context);
    }
}
