namespace Augur.Models;

/// <summary>
/// A model's configuration, read from <c>&lt;repository&gt;/&lt;model&gt;/config.json</c>. Every setting is
/// optional; what is left out is derived from the model graph or takes the documented default.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The configuration of a model folder with no config.json.</summary>
    public static ModelConfig Empty { get; } = new();

    /// <summary>
    /// The largest batch the model accepts; 0 means the model does not batch and shapes are used as given.
    /// Null derives it: <see cref="DefaultMaxBatchSize"/> when every input and output has a dynamic first
    /// dimension, otherwise 0.
    /// </summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>How many instances of the model execute concurrently. Default 1.</summary>
    public int InstanceCount { get; init; } = 1;

    /// <summary>Declared inputs; null takes them from the graph.</summary>
    public IReadOnlyList<TensorConfig>? Inputs { get; init; }

    /// <summary>Declared outputs; null takes them from the graph.</summary>
    public IReadOnlyList<TensorConfig>? Outputs { get; init; }

    /// <summary>Which versions to serve. Default: the latest one.</summary>
    public VersionPolicy VersionPolicy { get; init; } = VersionPolicy.Default;

    /// <summary>Warm-up before readiness. Default: one run of one sample per instance.</summary>
    public WarmupConfig Warmup { get; init; } = WarmupConfig.Default;

    /// <summary>Queueing and batching. Default <see cref="DynamicBatchingConfig.Default"/>.</summary>
    public DynamicBatchingConfig DynamicBatching { get; init; } = DynamicBatchingConfig.Default;

    /// <summary>Stateful sequences; null (the default) serves requests that stand alone.</summary>
    public SequenceBatchingConfig? SequenceBatching { get; init; }

    /// <summary>
    /// Answers kept for identical requests (<c>response_cache</c>); null (the default) and <c>"enable": false</c> run the
    /// model for every request. Never used by sequence models, whose answers depend on the sequence's state.
    /// </summary>
    public ResponseCacheConfig? ResponseCache { get; init; }

    /// <summary>
    /// Answers from predictions made ahead of time for requests that carry a key; null (the default) runs every request.
    /// Not for sequence models, whose answers depend on their state.
    /// </summary>
    public PrecomputedConfig? Precomputed { get; init; }

    /// <summary>
    /// The backend that loads the model, by its name (<c>"backend": "onnxruntime"</c>); null (the default) takes the first
    /// registered backend whose files the version folder holds.
    /// </summary>
    public string? Backend { get; init; }

    /// <summary>
    /// Where the model runs: <see cref="InProcess"/> (the default) in the engine's process, or the isolation an isolating
    /// backend serves, e.g. <c>process</c> for worker processes.
    /// </summary>
    public string Isolation { get; init; } = InProcess;

    /// <summary>The isolation of a model that runs inside the engine's process.</summary>
    public const string InProcess = "none";

    /// <summary>
    /// Each backend's own settings section (<c>backend_settings</c>), by backend name; the backend reads its section into
    /// its typed settings and rejects what it does not know.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> BackendSettings { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>Backend-specific settings, e.g. <c>intra_op_threads</c> for ONNX Runtime.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When true (<c>"required": true</c>), the server reports not ready (<c>/v2/health/ready</c> 503) until this model
    /// is ready. Default false: a model that fails is reported unavailable while the others serve.
    /// </summary>
    public bool Required { get; init; }

    /// <summary>The most instances one model may ask for: each holds a session and its memory.</summary>
    public const int MaxInstanceCount = 64;

    /// <summary>The largest max_batch_size accepted.</summary>
    public const int MaxBatchSizeLimit = 1 << 16;

    /// <summary>The batch size derived for models whose graph allows batching and whose config does not say.</summary>
    public const int DefaultMaxBatchSize = 64;
}
