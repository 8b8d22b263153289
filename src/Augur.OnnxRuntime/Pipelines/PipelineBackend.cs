using System.Text.Json;
using Augur.Backends;
using Augur.OnnxRuntime.Backend;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Serves model folders that hold a <c>pipeline.json</c>: a data flow of ONNX graphs and built-in featurizers, served
/// like one model (design note 0013). Its ONNX steps are loaded by <paramref name="onnxRuntime"/>, with its session
/// settings (config.json's <c>backend_settings.onnxruntime</c> and <c>parameters</c> apply to every step) and through its
/// shared-weight store, so a weight two steps, or a step and another model, both hold is held once. A pipeline is
/// compiled into one ONNX Runtime graph when it can be (design note 0014) unless fusion is off
/// (<see cref="OnnxRuntimeOptions.FusePipelines"/>, or <c>backend_settings.pipeline.fuse</c>).
/// </summary>
public sealed class PipelineBackend(OnnxRuntimeBackend onnxRuntime) : IModelBackend
{
    /// <summary>The backend's name in config.json (<c>"backend": "pipeline"</c>).</summary>
    public const string BackendName = "pipeline";

    /// <summary>The setting of <c>backend_settings.pipeline</c> that turns fusion on or off.</summary>
    public const string FuseSetting = "fuse";

    /// <summary>The setting of <c>backend_settings.pipeline</c> that turns shared sub-plans on or off.</summary>
    public const string ShareSubPlansSetting = "share_subplans";

    /// <summary>The setting of <c>backend_settings.pipeline</c> that turns sparse linear heads on or off.</summary>
    public const string SparseHeadsSetting = "sparse_heads";

    private static readonly string[] Settings = [FuseSetting, ShareSubPlansSetting, SparseHeadsSetting];

    /// <summary>The featurizer steps shared by the pipelines this backend loaded (design note 0016).</summary>
    internal SharedSteps SharedSteps { get; } = new();

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
        var fuse = ReadSwitch(context.Settings, FuseSetting, onnxRuntime.FusePipelines);
        var share = ReadSwitch(context.Settings, ShareSubPlansSetting, onnxRuntime.ShareSubPlans);
        var sparse = ReadSwitch(context.Settings, SparseHeadsSetting, onnxRuntime.SparseHeads);
        if (share)
        {
            SubPlanMetrics.Track(context.Meter, SharedSteps);
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
            return await PipelineModel.LoadAsync(pipeline, onnxRuntime, share ? SharedSteps : null, OnnxContext(context), fuse, cancellationToken, sparse).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"{PipelineDefinition.FileName}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A switch of <c>backend_settings.pipeline</c>: <c>fuse</c> (default: the backend's, true unless
    /// <c>--fuse-pipelines false</c>) compiles the pipeline into one ONNX Runtime graph, false runs it step by step;
    /// <c>share_subplans</c> (default true unless <c>--share-subplans false</c>) shares its featurizer prefix with other
    /// pipelines; <c>sparse_heads</c> (default true unless <c>--sparse-heads false</c>) runs its linear heads in C# over
    /// sparse rows when it runs step by step. Session settings are the ONNX steps' own, <c>backend_settings.onnxruntime</c>.
    /// </summary>
    private static bool ReadSwitch(JsonElement settings, string name, bool fallback)
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            return fallback;
        }

        foreach (var property in settings.EnumerateObject())
        {
            if (!Settings.Contains(property.Name))
            {
                throw new FormatException(
                    $"unknown setting backend_settings.{BackendName}.{property.Name}; known: {string.Join(", ", Settings)} (session settings of the ONNX steps are backend_settings.onnxruntime)");
            }

            if (property.Name == name)
            {
                fallback = property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? property.Value.GetBoolean()
                    : throw new FormatException($"backend_settings.{BackendName}.{name} must be true or false, not {property.Value.GetRawText()}");
            }
        }

        return fallback;
    }

    // The ONNX steps read the ONNX Runtime backend's section, as a model.onnx of the same folder would.
    private static ModelLoadContext OnnxContext(ModelLoadContext context) => context with
    {
        Settings = context.Config.BackendSettings.TryGetValue(OnnxRuntimeBackend.BackendName, out var section) ? section : default,
        Backend = OnnxRuntimeBackend.BackendName,
    };
}
