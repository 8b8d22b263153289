using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Augur.Server.Grpc;

/// <summary>
/// Reports the engine's readiness to ASP.NET Core health checks, which the standard gRPC health service
/// (<c>grpc.health.v1.Health</c>) answers from: SERVING while the engine serves, NOT_SERVING once it shuts down.
/// </summary>
internal sealed class EngineHealthCheck(InferenceEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.IsReady ? HealthCheckResult.Healthy("the engine is serving") : HealthCheckResult.Unhealthy("the engine is shutting down"));
}
