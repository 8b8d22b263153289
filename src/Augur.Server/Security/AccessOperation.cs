namespace Augur.Server.Security;

/// <summary>What a request does, for access control. Independent of HTTP so REST and gRPC share one policy.</summary>
public enum AccessOperation
{
    /// <summary>Liveness and readiness (server and model): always allowed, so orchestrators can probe without keys.</summary>
    Health,

    /// <summary>Inference and metadata (server, model): needs an inference or admin key when inference keys are configured.</summary>
    Inference,

    /// <summary>
    /// Statistics (the Prometheus endpoint): open when no admin key is configured, as it has always been; needs an admin
    /// key once one is configured.
    /// </summary>
    Statistics,

    /// <summary>Model control (repository index, load, unload): needs an admin key; refused when none is configured unless explicitly enabled.</summary>
    Administration,
}
