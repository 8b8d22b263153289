using Augur.Server.Endpoints;
using Augur.Server.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Augur.Server;

/// <summary>Maps the Open Inference Protocol REST routes.</summary>
public static class AugurEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/v2</c> health, metadata, readiness and infer routes, the Prometheus endpoint
    /// (<see cref="AugurServerOptions.MetricsPath"/>) and the gRPC services (which need an HTTP/2 endpoint).
    /// Call <c>AddAugur</c> first.
    /// </summary>
    public static IEndpointRouteBuilder MapAugur(this IEndpointRouteBuilder routes)
    {
        if (routes.ServiceProvider.GetRequiredService<AugurServerOptions>().MetricsPath is { } metricsPath)
        {
            routes.MapPrometheusScrapingEndpoint(metricsPath).WithMetadata(Security.AccessRequirement.Statistics);
        }

        HealthEndpoints.Map(routes);
        MetadataEndpoints.Map(routes);
        InferEndpoint.Map(routes);
        PredictionEndpoints.Map(routes);
        RepositoryEndpoints.Map(routes);
        routes.MapAugurGrpc();
        routes.Map("/v2/{**path}", (HttpContext context, string path) =>
            HttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"no route {context.Request.Method} /v2/{path}"));
        return routes;
    }
}
