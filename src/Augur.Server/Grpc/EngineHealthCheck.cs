using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Augur.Server.Grpc;

/// <summary>
/// Reports the engine's readiness to ASP.NET Core health checks, which the standard gRPC health service
/// (<c>grpc.health.v1.Health</c>) answers from: NOT_SERVING while the models load at start-up (and while a required
/// model is not ready), SERVING once the engine serves, NOT_SERVING again once it shuts down.
/// </summary>
internal sealed class EngineHealthCheck(InferenceEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.IsReady
            ? HealthCheckResult.Healthy("the engine is serving")
            : HealthCheckResult.Unhealthy(engine.NotReadyReason ?? "the engine is shutting down"));
}
