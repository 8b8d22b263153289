using Augur.Server.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Augur.Server.Security;

/// <summary>
/// Applies <see cref="ApiKeyAuthorizer"/> to every request after routing. The operation comes from the endpoint's
/// <see cref="AccessRequirement"/> (default <see cref="AccessOperation.Inference"/>); gRPC calls of the KServe
/// service are classified by method name and refused with a gRPC status instead of an HTTP one.
/// </summary>
internal sealed class AccessControlMiddleware(RequestDelegate next, ApiKeyAuthorizer authorizer)
{
    public const string ApiKeyHeader = "X-Api-Key";

    public Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<AccessRequirement>()?.Operation ?? Classify(context.Request.Path);
        var key = authorizer.UsesKeys ? ApiKeyAuthorizer.ReadKey(context.Request.Headers.Authorization, context.Request.Headers[ApiKeyHeader]) : null;
        var decision = authorizer.Authorize(operation, key);
        if (decision.IsAllowed)
        {
            return next(context);
        }

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC response: HTTP 200 with the status in the headers.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = decision.GrpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(decision.Message!);
            return Task.CompletedTask;
        }

        if (decision.Status == AccessStatus.Unauthenticated)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"augur\"";
        }

        return HttpResponses.WriteErrorAsync(context, decision.HttpStatus, decision.Message!);
    }

    /// <summary>Operations of routes without metadata: the KServe gRPC service's health and repository methods by name; the rest is inference.</summary>
    internal static AccessOperation Classify(PathString path)
    {
        var value = path.Value ?? string.Empty;
        if (!value.StartsWith("/inference.GRPCInferenceService/", StringComparison.Ordinal))
        {
            return AccessOperation.Inference;
        }

        return value["/inference.GRPCInferenceService/".Length..] switch
        {
            "ServerLive" or "ServerReady" or "ModelReady" => AccessOperation.Health,
            "RepositoryIndex" or "RepositoryModelLoad" or "RepositoryModelUnload" => AccessOperation.Administration,
            "ModelStatistics" => AccessOperation.Statistics,
            _ => AccessOperation.Inference,
        };
    }
}
