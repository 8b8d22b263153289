using Augur.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server;

/// <summary>Maps the Open Inference Protocol REST routes.</summary>
public static class AugurEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>/v2</c> health, metadata, readiness and infer routes (call <c>AddAugur</c> first).</summary>
    public static IEndpointRouteBuilder MapAugur(this IEndpointRouteBuilder routes)
    {
        HealthEndpoints.Map(routes);
        MetadataEndpoints.Map(routes);
        InferEndpoint.Map(routes);
        routes.Map("/v2/{**path}", (HttpContext context, string path) =>
            HttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"no route {context.Request.Method} /v2/{path}"));
        return routes;
    }
}
