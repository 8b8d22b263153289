using Augur.Server.Lifecycle;
using Augur.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server.Endpoints;

/// <summary><c>GET /v2/health/live</c> and <c>GET /v2/health/ready</c>.</summary>
internal static class HealthEndpoints
{
    private static readonly byte[] Live = """{"live":true}"""u8.ToArray();
    private static readonly byte[] Ready = """{"ready":true}"""u8.ToArray();

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/health/live", (HttpContext context) => HttpResponses.WriteAsync(context, StatusCodes.Status200OK, Live))
            .WithMetadata(AccessRequirement.Health);
        routes.MapGet("/v2/health/ready", (HttpContext context, InferenceEngine engine, ServerLifecycle lifecycle) =>
            NotReadyReason(engine, lifecycle) is { } reason
                ? HttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, $"the server is not ready: {reason}")
                : HttpResponses.WriteAsync(context, StatusCodes.Status200OK, Ready))
            .WithMetadata(AccessRequirement.Health);
    }

    /// <summary>Null when ready; otherwise why not (shutting down, or a required model not ready).</summary>
    public static string? NotReadyReason(InferenceEngine engine, ServerLifecycle lifecycle)
    {
        if (lifecycle.IsDraining)
        {
            return "shutting down";
        }

        return engine.IsReady ? null : engine.NotReadyReason ?? "the engine is shutting down";
    }
}
