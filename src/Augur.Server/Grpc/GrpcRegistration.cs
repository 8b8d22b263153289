using Augur.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Augur.Server.Grpc;

/// <summary>
/// Registers and maps Augur's gRPC front door: <c>inference.GRPCInferenceService</c>, the standard health service
/// (<c>grpc.health.v1.Health</c>, answering for "" and for the inference service from the engine's readiness) and
/// server reflection (so grpcurl and similar tools need no .proto file).
/// </summary>
/// <remarks>
/// Interceptors (e.g. an API-key check) plug in with <c>services.AddGrpc(o =&gt; o.Interceptors.Add&lt;T&gt;())</c>
/// or <c>services.Configure&lt;GrpcServiceOptions&gt;(...)</c> after <c>AddAugur</c>: they then run before every RPC.
/// </remarks>
internal static class GrpcRegistration
{
    public const string ServiceName = "inference.GRPCInferenceService";

    public static IServiceCollection AddAugurGrpc(this IServiceCollection services, AugurServerOptions options)
    {
        services.AddGrpc(grpc =>
        {
            // The same payload limit as REST; a larger message gets RESOURCE_EXHAUSTED from gRPC itself.
            grpc.MaxReceiveMessageSize = (int)Math.Min(options.MaxRequestBodyBytes, int.MaxValue);
            grpc.MaxSendMessageSize = null;
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map(string.Empty, _ => true);
            health.Services.Map(ServiceName, _ => true);
        }).AddCheck<EngineHealthCheck>("engine");
        return services;
    }

    public static IEndpointRouteBuilder MapAugurGrpc(this IEndpointRouteBuilder routes)
    {
        // Access (AccessControlMiddleware): the inference service's methods are classified by name (health probes
        // open, repository RPCs administration, the rest inference); the standard health service is a health probe,
        // open like ServerLive; reflection describes the inference API, so it needs what inference needs.
        routes.MapGrpcService<InferenceGrpcService>();
        routes.MapGrpcHealthChecksService().WithMetadata(AccessRequirement.Health);
        routes.MapGrpcReflectionService().WithMetadata(new AccessRequirement(AccessOperation.Inference));
        return routes;
    }
}
