using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Diagnostics;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Runtime;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Sharing;
using Augur.OnnxRuntime.Sharing.Prefixes;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// Serves <c>model.onnx</c> files with ONNX Runtime on the CPU. Identical large initializers of the models it loads are
/// held once and shared by their sessions (<see cref="OnnxRuntimeOptions.ShareWeights"/>, design note 0012); sessions run on
/// the process's global thread pools and allocate from one shared CPU arena (<see cref="OnnxRuntimeOptions.GlobalThreadPool"/>,
/// <see cref="OnnxRuntimeOptions.SharedArena"/>, design note 0015).
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

    /// <summary>Whether pipelines served through this backend are fused by default (<see cref="OnnxRuntimeOptions.FusePipelines"/>).</summary>
    internal bool FusePipelines => options.FusePipelines;

    /// <summary>Whether pipelines served through this backend share their featurizer prefixes by default (<see cref="OnnxRuntimeOptions.ShareSubPlans"/>).</summary>
    internal bool ShareSubPlans => options.ShareSubPlans;

    /// <summary>Whether pipelines served through this backend run their linear heads sparse by default (<see cref="OnnxRuntimeOptions.SparseHeads"/>).</summary>
    internal bool SparseHeads => options.SparseHeads;

    /// <summary>The initializers this backend's models share.</summary>
    internal SharedInitializerStore SharedInitializers { get; } = new(options.SharedWeightMinimumBytes);

    /// <summary>The graph prefixes this backend's plain models share (design note 0018).</summary>
    internal SharedPrefixes SharedPrefixes => LazyInitializer.EnsureInitialized(ref _prefixes, () => new SharedPrefixes(LoadPart, options.SharedPrefixMinimumBytes));

    private SharedPrefixes? _prefixes;

    // The process's environment as this backend found it at its first load (Ensure logs options it cannot apply once).
    private RuntimeEnvironmentState? _environment;

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, ModelFileName));

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        var path = Path.Combine(context.VersionDirectory, ModelFileName);
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var parsed = Parse(bytes, path);
        var model = Load(parsed, new ModelFileBytes(path, bytes), context, out var settings);
        // A model that batches may share the beginning of its graph: rows of other models' batches can join its own.
        if (settings.ShareSubPlans && context.Config.MaxBatchSize != 0)
        {
            SubPlanMetrics.Track(context.Meter, SharedPrefixes.Steps);
            SharedPrefixes.Register(model, parsed, context.LoggerFactory.CreateLogger("Augur.OnnxRuntime"));
        }

        return model;
    }

    /// <summary>
    /// Loads the ONNX graph at <paramref name="path"/> (in <see cref="ModelLoadContext.VersionDirectory"/>) as this
    /// backend loads model.onnx: the session settings resolved from the context's config and settings section, the weights
    /// shared through this backend's store. A pipeline's ONNX steps are loaded so.
    /// </summary>
    internal async ValueTask<OnnxModel> LoadFileAsync(string path, ModelLoadContext context, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Load(Parse(bytes, path), new ModelFileBytes(path, bytes), context, out _);
    }

    private static ModelProto Parse(byte[] bytes, string path) =>
        OnnxModelFile.TryParse(bytes, out var model, out var problem, Path.GetFileName(path)) ? model : throw new InvalidDataException(problem);

    /// <summary>
    /// Loads part of a model's graph cut at a shared prefix (design note 0018): the prefix, made once (its one
    /// instance is the shared step's), or a model's suffix, whose bytes are kept for the instances it may add.
    /// </summary>
    private OnnxModel LoadPart(ModelProto part, string description, ModelLoadContext context, bool once)
    {
        var bytes = part.ToByteArray();
        var file = once
            ? ModelFileBytes.Generated(description, bytes, () => throw new InvalidDataException($"{description} has its one instance already"))
            : ModelFileBytes.Generated(description, bytes, () => bytes);
        return Load(part, file, once ? context with { Config = context.Config with { InstanceCount = 1 } } : context, out _, counted: false);
    }

    /// <summary>
    /// Loads a graph that is not a file of its own (a pipeline compiled into one graph) as <see cref="LoadFileAsync"/>
    /// loads a file: <paramref name="model"/> is its parsed form and <paramref name="bytes"/> its serialized one, which
    /// <paramref name="build"/> makes again, byte for byte, for an instance wanted after the bytes were dropped.
    /// External data is resolved against <see cref="ModelLoadContext.VersionDirectory"/>.
    /// </summary>
    internal OnnxModel LoadGenerated(ModelProto model, byte[] bytes, string description, Func<byte[]> build, ModelLoadContext context) =>
        Load(model, ModelFileBytes.Generated(description, bytes, build), context, out _);

    private OnnxModel Load(ModelProto parsed, ModelFileBytes file, ModelLoadContext context, out SessionSettings settings, bool counted = true)
    {
        var shared = Prepare(parsed, context, out settings);
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(file, settings, context, shared, counted ? OnnxRuntimeModelMetrics.Track(context.Meter, settings) : null);
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

    /// <summary>
    /// The signature of the ONNX graph at <paramref name="path"/> (in the context's version folder), read from a session
    /// opened for nothing else: no shared weights, no pre-packing, no graph optimisation, one thread, disposed at once.
    /// A pipeline validates its steps so and opens real sessions only for the steps that run in ONNX Runtime: a session
    /// given shared weights leaves its pre-packed copies in the store's container after it is gone (design note 0012),
    /// which for a step that then runs fused or as a sparse head would be memory held for nothing.
    /// </summary>
    internal async ValueTask<ModelSignature> ReadSignatureAsync(string path, ModelLoadContext context, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (!OnnxModelFile.TryParse(bytes, out var model, out var problem, Path.GetFileName(path)))
        {
            throw new InvalidDataException(problem);
        }

        if (ExternalDataCheck.Check(model, context.VersionDirectory) is { } externalProblem)
        {
            throw new InvalidDataException(externalProblem);
        }

        // Before any ONNX Runtime object: the first one creates the environment.
        _environment ??= OnnxRuntimeEnvironment.Ensure(options, context.LoggerFactory.CreateLogger("Augur.OnnxRuntime"));
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        sessionOptions.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", context.VersionDirectory);
        using var session = new InferenceSession(bytes, sessionOptions);
        var signature = OnnxModel.SignatureOf(session);
        GlibcHeap.ReturnFreedMemory();
        return signature;
    }

    /// <summary>Checks the parsed model's external data, resolves its settings and leases its shared weights.</summary>
    private SharedWeights Prepare(ModelProto model, ModelLoadContext context, out SessionSettings settings)
    {
        if (ExternalDataCheck.Check(model, context.VersionDirectory) is { } externalProblem)
        {
            throw new InvalidDataException(externalProblem);
        }

        // Before any ONNX Runtime object: the first one creates the environment, with no global thread pools.
        var logger = context.LoggerFactory.CreateLogger("Augur.OnnxRuntime");
        var environment = _environment ??= OnnxRuntimeEnvironment.Ensure(options, logger);
        settings = SessionPlacement.Place(SessionSettings.Resolve(options, context.Config.Parameters, context.Settings), environment, out var threadPool, out var arena);
        OnnxRuntimeLog.SessionPlacement(logger, context.ModelName, context.Version, threadPool, arena);
        if (!settings.ShareWeights)
        {
            return SharedWeights.None;
        }

        SharedWeightMetrics.Track(context.Meter, SharedInitializers);
        return SharedInitializers.Acquire(ShareableInitializers.Find(model, SharedInitializers.MinimumBytes));
    }
}
