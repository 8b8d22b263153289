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
        routes.MapGet("/v2/health/live", (HttpContext context) => HttpResponses.WriteAsync(context, StatusCodes.Status200OK, Live));
        routes.MapGet("/v2/health/ready", (HttpContext context, InferenceEngine engine) => engine.IsReady
            ? HttpResponses.WriteAsync(context, StatusCodes.Status200OK, Ready)
            : HttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "the server is not ready"));
    }
}
