using System.CommandLine;
using Augur.Models;

namespace Augur.Cli.Commands.Serve;

/// <summary>The model control, readiness and shutdown options of <c>augur serve</c> (keys come from the environment or a settings file).</summary>
internal sealed class ServeOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "Settings file (JSON). Default: appsettings.json in the working directory, if present." };

    public Option<ModelControlMode> ModelControl { get; } = new("--model-control-mode")
    {
        Description = "none (load everything once), poll (watch the repository) or explicit (load/unload on request). Default none.",
    };

    public Option<double> PollInterval { get; } = new("--poll-interval") { Description = "Seconds between repository polls in poll mode. Default 15." };

    public Option<string[]> LoadModel { get; } = new("--load-model") { Description = "In explicit mode, a model to load at start-up (repeatable; '*' for all).", AllowMultipleArgumentsPerToken = false };

    public Option<string[]> RequiredModel { get; } = new("--required-model") { Description = "A model without which /v2/health/ready is 503 (repeatable)." };

    public Option<double> DrainTimeout { get; } = new("--drain-timeout") { Description = "Seconds requests in flight may take to finish on shutdown. Default 30." };

    public Option<double> ShutdownDelay { get; } = new("--shutdown-delay") { Description = "Seconds to keep serving with readiness 503 after SIGTERM, before draining. Default 0." };

    public Option<long> MemoryBudget { get; } = new("--memory-budget")
    {
        Description = "Bytes all loaded models may take together: models then load on their first request and the least recently used are unloaded to make room. Default 0 (no budget: every model loads at start-up).",
    };

    public Option<double> DefaultTimeout { get; } = new("--default-timeout")
    {
        Description = "Milliseconds a request may wait in a model's queue when neither it (its timeout parameter or gRPC deadline) nor the model's default_timeout_microseconds says; a request predicted to wait longer is refused at once with 503 and Retry-After. Default 1000; 0 for no limit.",
    };

    public Option<double> ComputeThreadsFrom { get; } = new("--compute-threads-from")
    {
        Description = "Microseconds a model instance's runs must block, on average, for its batches to run on a thread of its own instead of the thread pool. Default 500; 0 gives every instance a thread, -1 none.",
    };

    public Option<bool> AllowAdminWithoutKey { get; } = new("--allow-admin-without-key") { Description = "Serve model control with no admin key (trusted networks only). Default off." };

    public Option<string?> Certificate { get; } = new("--https-certificate") { Description = "Serve HTTPS with this certificate (PFX, or PEM with --https-certificate-key)." };

    public Option<string?> CertificateKey { get; } = new("--https-certificate-key") { Description = "The PEM private key of --https-certificate." };

    public static ServeOptions Create() => new();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, ModelControl, PollInterval, LoadModel, RequiredModel, DrainTimeout, ShutdownDelay, MemoryBudget, DefaultTimeout, ComputeThreadsFrom, AllowAdminWithoutKey, Certificate, CertificateKey })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>These options with the setting keys they set.</summary>
    public IEnumerable<(Option Option, string Key)> Settings =>
    [
        (ModelControl, "ModelControlMode"),
        (PollInterval, "PollIntervalSeconds"),
        (LoadModel, "LoadModels"),
        (RequiredModel, "RequiredModels"),
        (DrainTimeout, "DrainTimeoutSeconds"),
        (ShutdownDelay, "ShutdownDelaySeconds"),
        (MemoryBudget, "MemoryBudget"),
        (DefaultTimeout, "DefaultTimeoutMilliseconds"),
        (ComputeThreadsFrom, "ComputeThreadMicroseconds"),
        (AllowAdminWithoutKey, "Security:AllowAdminWithoutKey"),
        (Certificate, "Security:CertificatePath"),
        (CertificateKey, "Security:CertificateKeyPath"),
    ];
}
