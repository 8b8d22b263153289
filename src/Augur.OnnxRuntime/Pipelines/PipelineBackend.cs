using System.Text.Json;
using Augur.Backends;
using Augur.OnnxRuntime.Backend;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Serves model folders that hold a <c>pipeline.json</c>: a data flow of ONNX graphs and built-in featurizers, served
/// like one model (design note 0013). Its ONNX steps are loaded by <paramref name="onnxRuntime"/>, with its session
/// settings (config.json's <c>backend_settings.onnxruntime</c> and <c>parameters</c> apply to every step) and through its
/// shared-weight store, so a weight two steps, or a step and another model, both hold is held once.
/// </summary>
public sealed class PipelineBackend(OnnxRuntimeBackend onnxRuntime) : IModelBackend
{
    /// <summary>The backend's name in config.json (<c>"backend": "pipeline"</c>).</summary>
    public const string BackendName = "pipeline";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string Platform => "augur_pipeline";

    /// <inheritdoc />
    public string ExpectedFiles => PipelineDefinition.FileName;

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, PipelineDefinition.FileName));

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.ValueKind == JsonValueKind.Object && context.Settings.EnumerateObject().Any())
        {
            throw new FormatException(
                $"backend_settings.{BackendName}.{context.Settings.EnumerateObject().First().Name}: the pipeline backend has no settings of its own; its ONNX steps take backend_settings.onnxruntime");
        }

        var path = Path.Combine(context.VersionDirectory, PipelineDefinition.FileName);
        if (!File.Exists(path))
        {
            // Chosen by config.json ("backend": "pipeline") for a folder without one.
            throw new FileNotFoundException($"the version folder {context.VersionDirectory} holds no {PipelineDefinition.FileName} for the {BackendName} backend", path);
        }

        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        if (!PipelineReader.TryParse(json, out var pipeline, out var problem))
        {
            throw new InvalidDataException(problem);
        }

        try
        {
            return await PipelineModel.LoadAsync(pipeline, onnxRuntime, OnnxContext(context), cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"{PipelineDefinition.FileName}: {ex.Message}", ex);
        }
    }

    // The ONNX steps read the ONNX Runtime backend's section, as a model.onnx of the same folder would.
    private static ModelLoadContext OnnxContext(ModelLoadContext context) => context with
    {
        Settings = context.Config.BackendSettings.TryGetValue(OnnxRuntimeBackend.BackendName, out var section) ? section : default,
        Backend = OnnxRuntimeBackend.BackendName,
    };
}
