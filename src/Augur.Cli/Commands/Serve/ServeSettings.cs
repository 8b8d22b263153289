using System.Net;
using Augur.Models;
using Augur.Server;
using Augur.Server.Security;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// Everything <c>augur serve</c> can be told, bound from (lowest to highest precedence) <c>appsettings.json</c>,
/// environment variables prefixed <c>AUGUR_</c> (<c>__</c> for nesting, e.g. <c>AUGUR_Security__AdminApiKeys__0</c>)
/// and command-line options. Keys belong in the environment or the settings file, never on the command line.
/// </summary>
internal sealed class ServeSettings
{
    /// <summary>The model repository; null serves the bundled samples.</summary>
    public string? ModelRepository { get; set; }

    public int HttpPort { get; set; } = 8000;

    /// <summary>The gRPC port (HTTP/2); 0 picks a free one.</summary>
    public int GrpcPort { get; set; } = 8001;

    public string Host { get; set; } = "0.0.0.0";

    public long MaxRequestBody { get; set; } = 64L * 1024 * 1024;

    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Whether identical large initializers of different models are held once (design note 0012); a model's config.json may override it.</summary>
    public bool ShareWeights { get; set; } = true;

    /// <summary>Whether pipelines are compiled into one ONNX Runtime graph when they can be (design note 0014); a model's config.json may override it.</summary>
    public bool FusePipelines { get; set; } = true;

    /// <summary>Whether pipelines that begin with the same featurizers share them, batched across pipelines (design note 0016); a model's config.json may override it.</summary>
    public bool ShareSubPlans { get; set; } = true;

    /// <summary>Whether sessions run on the process's global ONNX Runtime thread pools (design note 0015); a model's config.json may override it.</summary>
    public bool GlobalThreadPool { get; set; } = true;

    /// <summary>Whether sessions allocate from one CPU arena shared by every model (design note 0015); a model's config.json may override it.</summary>
    public bool SharedArena { get; set; } = true;

    /// <summary>Threads of the global intra-op pool; 0 (the default) is one per processor.</summary>
    public int GlobalIntraOpThreads { get; set; }

    /// <summary>Whether the global pools' threads spin while they wait for work (default false; design note 0015).</summary>
    public bool GlobalThreadPoolSpinning { get; set; }

    /// <summary>Whether a pipeline's linear heads run in C# over sparse featurizer rows (design note 0017); a model's config.json may override it.</summary>
    public bool SparseHeads { get; set; } = true;

    public ModelControlMode ModelControlMode { get; set; } = ModelControlMode.None;

    /// <summary>Seconds between repository polls in poll mode.</summary>
    public double PollIntervalSeconds { get; set; } = 15;

    /// <summary>Models loaded at start-up in explicit mode ("*" for all).</summary>
    public List<string> LoadModels { get; set; } = [];

    /// <summary>Models without which the server is not ready.</summary>
    public List<string> RequiredModels { get; set; } = [];

    public double DrainTimeoutSeconds { get; set; } = 30;

    public double ShutdownDelaySeconds { get; set; }

    /// <summary>Bytes all loaded models may take together (design note 0010); 0 sets no budget.</summary>
    public long MemoryBudget { get; set; }

    /// <summary>Milliseconds a request may wait in a queue when neither it nor its model says (design note 0002); 0 sets no limit.</summary>
    public double DefaultTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Microseconds a model instance's runs must block, on average, for its batches to run on a thread of its own instead
    /// of the thread pool (design note 0002); 0 gives every instance one, -1 none. Default 500.
    /// </summary>
    public double ComputeThreadMicroseconds { get; set; } = 500;

    public AugurSecurityOptions Security { get; set; } = new();

    /// <summary>A SQLite file or postgres:// URI written by <c>augur batch</c>, served by the predictions route; null for none.</summary>
    public string? PredictionStore { get; set; }

    /// <summary>Bytes the in-process response cache may hold (models opt in with config.json's response_cache); 0 keeps none.</summary>
    public long CacheSize { get; set; } = Caching.ResponseCacheOptions.DefaultSizeBytes;

    /// <summary>A Redis server shared by replicas as the response cache's second level (redis://host:port or a Redis configuration string); null for none.</summary>
    public string? Cache { get; set; }

    /// <summary>Milliseconds a request waits for the shared cache before it goes on without it.</summary>
    public double CacheTimeoutMilliseconds { get; set; } = 50;

    /// <summary>Checks every setting; the message names the setting (and never prints a key).</summary>
    public string? Validate(out IPAddress address)
    {
        address = IPAddress.Any;
        if (!IPAddress.TryParse(Host, out var parsed))
        {
            return $"Host (--host) '{Host}' is not an IP address; give one such as 0.0.0.0 (all interfaces) or 127.0.0.1 (this machine only)";
        }

        address = parsed;
        if (HttpPort is < 0 or > 65535)
        {
            return $"HttpPort (--http-port) {HttpPort} is not a port number; give one from 1 to 65535, or 0 to pick a free one";
        }

        if (GrpcPort is < 0 or > 65535)
        {
            return $"GrpcPort (--grpc-port) {GrpcPort} is not a port number; give one from 1 to 65535, or 0 to pick a free one";
        }

        if (GrpcPort == HttpPort && HttpPort != 0)
        {
            return $"GrpcPort (--grpc-port) {GrpcPort} is also the HTTP port (--http-port); give another port, or 0 to pick a free one";
        }

        if (!Enum.IsDefined(ModelControlMode))
        {
            return $"ModelControlMode (--model-control-mode) '{ModelControlMode}' is not none, poll or explicit";
        }

        if (!double.IsFinite(PollIntervalSeconds) || PollIntervalSeconds < 0.1 || PollIntervalSeconds > 86400)
        {
            return $"PollIntervalSeconds (--poll-interval) {PollIntervalSeconds} must be from 0.1 to 86400";
        }

        if (!double.IsFinite(DrainTimeoutSeconds) || DrainTimeoutSeconds < 0 || DrainTimeoutSeconds > 3600)
        {
            return $"DrainTimeoutSeconds (--drain-timeout) {DrainTimeoutSeconds} must be from 0 to 3600";
        }

        if (!double.IsFinite(ShutdownDelaySeconds) || ShutdownDelaySeconds < 0 || ShutdownDelaySeconds > DrainTimeoutSeconds)
        {
            return $"ShutdownDelaySeconds (--shutdown-delay) {ShutdownDelaySeconds} must be from 0 to DrainTimeoutSeconds";
        }

        if (LoadModels.Count > 0 && ModelControlMode != ModelControlMode.Explicit)
        {
            return "LoadModels (--load-model) needs ModelControlMode explicit; the other modes load every model";
        }

        foreach (var (name, setting) in LoadModels.Select(m => (m, "LoadModels (--load-model)")).Concat(RequiredModels.Select(m => (m, "RequiredModels (--required-model)"))))
        {
            if (!Augur.Engine.ModelNames.IsValid(name) && !(name == "*" && setting.StartsWith("LoadModels", StringComparison.Ordinal)))
            {
                return $"{setting}: '{name}' is not a valid model name";
            }
        }

        if (!double.IsFinite(ComputeThreadMicroseconds) || (ComputeThreadMicroseconds < 0 && ComputeThreadMicroseconds != -1) || ComputeThreadMicroseconds > 1_000_000_000)
        {
            return $"ComputeThreadMicroseconds (--compute-threads-from) {ComputeThreadMicroseconds} must be -1 (none), 0 (every instance) or up to 1000000000";
        }

        if (!double.IsFinite(DefaultTimeoutMilliseconds) || DefaultTimeoutMilliseconds < 0 || DefaultTimeoutMilliseconds > 86_400_000)
        {
            return $"DefaultTimeoutMilliseconds (--default-timeout) {DefaultTimeoutMilliseconds} must be 0 (no limit) or up to 86400000 (one day)";
        }

        if (MemoryBudget < 0)
        {
            return $"MemoryBudget (--memory-budget) {MemoryBudget} must be 0 (no budget) or more bytes";
        }

        if (CacheSize < 0)
        {
            return $"CacheSize (--cache-size) {CacheSize} must be 0 (no in-process cache) or more bytes";
        }

        if (!double.IsFinite(CacheTimeoutMilliseconds) || CacheTimeoutMilliseconds < 1 || CacheTimeoutMilliseconds > 60_000)
        {
            return $"CacheTimeoutMilliseconds (--cache-timeout) {CacheTimeoutMilliseconds} must be from 1 to 60000";
        }

        if (Cache is { } cache && !Commands.RedisAddress.TryParse(cache, "Cache (--cache)", out _, out var cacheProblem))
        {
            return cacheProblem;
        }

        try
        {
            ServerOptions(new AugurServerOptions()).Validate();
            if (Security.CertificatePath is not null)
            {
                using var certificate = ServerCertificate.Load(Security);
            }

            new OnnxRuntime.Backend.OnnxRuntimeOptions { IntraOpThreads = IntraOpThreads, GlobalIntraOpThreads = GlobalIntraOpThreads }.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return $"{SettingOf(ex.ParamName)} {ex.ActualValue} {ex.Message.Split(" (Parameter", 2)[0]}";
        }
        catch (ArgumentException ex)
        {
            return $"{SettingOf(ex.ParamName)}: {ex.Message.Split(" (Parameter", 2)[0]}";
        }

        return null;
    }

    /// <summary>The setting (and option) behind a server or backend option's name, e.g. MaxRequestBodyBytes → MaxRequestBody (--max-request-body).</summary>
    private static string SettingOf(string? parameter) => parameter switch
    {
        nameof(AugurServerOptions.MaxRequestBodyBytes) => "MaxRequestBody (--max-request-body)",
        nameof(IntraOpThreads) => "IntraOpThreads (--intra-op-threads)",
        nameof(GlobalIntraOpThreads) => "GlobalIntraOpThreads",
        nameof(AugurSecurityOptions.CertificatePath) => "Security:CertificatePath (--https-certificate)",
        nameof(AugurSecurityOptions.CertificateKeyPath) => "Security:CertificateKeyPath (--https-certificate-key)",
        { } name when typeof(AugurSecurityOptions).GetProperty(name) is not null => "Security:" + name,
        _ => parameter ?? "a setting",
    };

    /// <summary>Copies the server settings into <paramref name="options"/>.</summary>
    public AugurServerOptions ServerOptions(AugurServerOptions options)
    {
        options.MaxRequestBodyBytes = MaxRequestBody;
        options.Security = Security;
        options.DrainTimeout = TimeSpan.FromSeconds(DrainTimeoutSeconds);
        options.ShutdownDelay = TimeSpan.FromSeconds(ShutdownDelaySeconds);
        return options;
    }
}
