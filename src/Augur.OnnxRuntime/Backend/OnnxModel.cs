using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Sharing;
using Augur.OnnxRuntime.Sharing.Prefixes;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// One loaded ONNX model version. The session created to read the graph's signature becomes the first
/// instance, so a model with one instance is parsed and optimised once. Every session is given the model's shared
/// weights; the file's bytes are kept until the configured number of instances exist.
/// </summary>
internal sealed class OnnxModel : IModel, IExplainsPlan
{
    // Smaller files leave too little garbage to be worth a collection of their own.
    private const long CollectAfterDroppingBytes = 8 << 20;

    private readonly ModelFileBytes _file;
    private readonly SessionSettings _settings;
    private readonly ModelLoadContext _context;
    private readonly SharedWeights _shared;
    private readonly IDisposable? _counted;
    private InferenceSession? _firstSession;
    private int _instances;
    private PrefixSplit? _split;

    private OnnxModel(ModelFileBytes file, SessionSettings settings, ModelLoadContext context, SharedWeights shared, IDisposable? counted, InferenceSession firstSession, ModelSignature signature)
    {
        _counted = counted;
        _file = file;
        _settings = settings;
        _context = context;
        _shared = shared;
        _firstSession = firstSession;
        Signature = signature;
    }

    public ModelSignature Signature { get; }

    /// <summary>The model's name, for messages.</summary>
    public string Name => _context.ModelName;

    /// <summary>The engine's clock.</summary>
    public TimeProvider Time => _context.Time;

    /// <summary>The file (or generated graph) the model was loaded from.</summary>
    public ModelFileBytes File => _file;

    /// <summary>How the model was loaded: its name, version, folder and config.</summary>
    public ModelLoadContext Context => _context;

    /// <summary>
    /// Set when the backend registers the model, running whole, with its <see cref="SharedPrefixes"/> (design note 0018):
    /// called when the model is disposed, to take it off. While it is set the model's instances are
    /// <see cref="SwitchingInstance"/>s, which switch to the split model once <see cref="Adopt"/> is called.
    /// </summary>
    public Action? Unregister { get; set; }

    /// <summary>How the model runs since it shares its prefix, or null while it runs whole.</summary>
    public PrefixSplit? Split => Volatile.Read(ref _split);

    /// <summary>
    /// From now on the model's instances run <paramref name="split"/> (each from its next batch); the model owns it. The
    /// session kept from the load and the file's bytes are let go: no instance of the whole graph is made again.
    /// </summary>
    public void Adopt(PrefixSplit split)
    {
        Volatile.Write(ref _split, split);
        Interlocked.Exchange(ref _firstSession, null)?.Dispose();
        if (_file.Drop() >= CollectAfterDroppingBytes)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
        }
    }

    /// <summary>The content key of each initializer this model holds in the shared store, by name.</summary>
    public IReadOnlyDictionary<string, string> SharedWeightKeys => _shared.KeysByName;

    /// <summary>The initializers this model holds in the backend's shared store.</summary>
    public IReadOnlyList<SharedResource> SharedWeights => _shared.Resources;

    /// <summary>What a session is made with, for plans.</summary>
    public string SessionNote => (_settings.ShareWeights
        ? $"shared weights: on ({_shared.Count} initializer(s) held in the shared store)"
        : "shared weights: off (backend_settings.onnxruntime.share_weights or --share-weights false)")
        + $"; thread pool: {(_settings.GlobalThreadPool ? "global" : "own")}; arena: {(_settings.SharedArena ? "shared" : "own")}";

    public ModelPlan Plan => Split is { } split
        ? new([.. split.PlanSteps(_file.Name)],
            [new SharedResource(SharedResource.SubPlan, split.Step.Fingerprint, 0, split.Step.Description), .. SharedWeights, .. split.Prefix.SharedWeights.Where(w => SharedWeights.All(s => s.Key != w.Key))],
            [SessionNote, "shared prefix: its instances switch to it at their next batch"])
        : new([new PlanStep(_file.Name, "ONNX Runtime session")], SharedWeights, [SessionNote]);

    /// <summary>
    /// Opens the first session. On success the model owns <paramref name="shared"/> and <paramref name="counted"/> (its
    /// count in a gauge, ended when the model is disposed); on failure it ends the count and the caller still owns
    /// <paramref name="shared"/>.
    /// </summary>
    public static OnnxModel Load(ModelFileBytes file, SessionSettings settings, ModelLoadContext context, SharedWeights shared, IDisposable? counted = null)
    {
        InferenceSession? session = null;
        try
        {
            session = CreateSession(file.Read(), settings, context.VersionDirectory, shared);
            var signature = SignatureOf(session);
            return new OnnxModel(file, settings, context, shared, counted, session, signature);
        }
        catch
        {
            session?.Dispose();
            counted?.Dispose();
            throw;
        }
    }

    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IModelInstance>(Split is { } split
            ? split.CreateInstance(Name, Signature, Time)
            : Unregister is not null ? new SwitchingInstance(this, CreateInstance(Signature.Outputs)) : CreateInstance(Signature.Outputs));

    /// <summary>An instance that runs the graph for <paramref name="outputs"/> only (some of <see cref="Signature"/>'s, in any order).</summary>
    public OnnxModelInstance CreateInstance(IReadOnlyList<TensorSpec> outputs)
    {
        var session = Interlocked.Exchange(ref _firstSession, null) ?? CreateSession(_file.Read(), _settings, _context.VersionDirectory, _shared);
        if (Interlocked.Increment(ref _instances) >= _context.Config.InstanceCount && _file.Drop() >= CollectAfterDroppingBytes)
        {
            // The load left about twice the file's size of large-object garbage: these bytes and the parsed model's
            // copies of its initializers. Left alone, the GC keeps it until later allocations ask; a background
            // collection returns most of it now without pausing requests (design note 0012: 3.8 → 1.9 MiB per extra
            // tenant over a 24 MiB encoder). A blocking aggressive one returned more (0.7) but pauses every request.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
        }

        return new OnnxModelInstance(_context.ModelName, session, Signature with { Outputs = outputs }, _context.Time);
    }

    public ValueTask DisposeAsync()
    {
        Unregister?.Invoke();
        Interlocked.Exchange(ref _split, null)?.Dispose();
        Interlocked.Exchange(ref _firstSession, null)?.Dispose();
        // After every session (the engine disposes a model after its last instance): they read the shared values.
        _shared.Dispose();
        _counted?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static InferenceSession CreateSession(byte[] bytes, SessionSettings settings, string versionDirectory, SharedWeights shared)
    {
        InferenceSession session;
        using (var options = settings.Create())
        {
            // A model loaded from bytes has no folder of its own: external data (checked by ExternalDataCheck) is read from its version folder.
            options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", versionDirectory);
            shared.AddTo(options);
            session = shared.Container is { } container ? new InferenceSession(bytes, options, container) : new InferenceSession(bytes, options);
        }

        // The load freed transient copies of the weights (parsed, and pre-packed again before the container was asked).
        GlibcHeap.ReturnFreedMemory();
        return session;
    }

    /// <summary>A session's inputs or outputs as the protocol's tensor specs, -1 for a dynamic dimension.</summary>
    /// <summary>The inputs and outputs of <paramref name="session"/>'s graph; a value that is not a tensor of a protocol datatype is refused.</summary>
    internal static ModelSignature SignatureOf(InferenceSession session) => new(
        Describe(session.InputNames, session.InputMetadata, "input"),
        Describe(session.OutputNames, session.OutputMetadata, "output"));

    internal static TensorSpec[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata, string kind)
    {
        var specs = new TensorSpec[names.Count];
        for (var i = 0; i < specs.Length; i++)
        {
            var node = metadata[names[i]];
            if (!node.IsTensor || !ElementTypes.TryToDataType(node.ElementDataType, out var dataType))
            {
                throw new NotSupportedException(
                    $"{kind} '{names[i]}' is a {(node.IsTensor ? node.ElementDataType.ToString() : node.OnnxValueType.ToString())}; Augur serves tensors of the protocol's datatypes only");
            }

            specs[i] = new TensorSpec(names[i], dataType, node.Dimensions.Select(d => d < 0 ? -1L : d).ToArray());
        }

        return specs;
    }
}
