using System.Reflection;
using System.Text.Json;
using Augur.Engine;
using Augur.Errors;
using Augur.Protocol.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server.Endpoints;

/// <summary>Server metadata, model metadata and model readiness.</summary>
internal static class MetadataEndpoints
{
    internal static readonly string Version =
        typeof(MetadataEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2", (HttpContext context, AugurServerOptions options) =>
            HttpResponses.WriteJsonAsync(context, buffer => MetadataWriter.WriteServer(buffer, options.ServerName, Version)));
        routes.MapGet("/v2/models/{model}", (HttpContext context, InferenceEngine engine, string model) => ModelAsync(context, engine, model, null));
        routes.MapGet("/v2/models/{model}/versions/{version}", (HttpContext context, InferenceEngine engine, string model, string version) => ModelAsync(context, engine, model, version));
        routes.MapGet("/v2/models/{model}/ready", (HttpContext context, InferenceEngine engine, string model) => ReadyAsync(context, engine, model, null))
            .WithMetadata(Security.AccessRequirement.Health);
        routes.MapGet("/v2/models/{model}/versions/{version}/ready", (HttpContext context, InferenceEngine engine, string model, string version) => ReadyAsync(context, engine, model, version))
            .WithMetadata(Security.AccessRequirement.Health);
    }

    /// <summary>Rejects names that cannot be model names (separators, "..", control characters) before any lookup.</summary>
    public static InferenceError? CheckName(string model) =>
        ModelNames.IsValid(model) ? null : InferenceError.Invalid($"'{model}' is not a valid model name (letters, digits, '_', '-', '.'; not starting with '.')");

    private static Task ModelAsync(HttpContext context, InferenceEngine engine, string model, string? version)
    {
        if (CheckName(model) is { } invalid)
        {
            return HttpResponses.WriteErrorAsync(context, invalid);
        }

        return engine.TryGetMetadata(model, version, out var metadata, out var error)
            ? HttpResponses.WriteJsonAsync(context, buffer => MetadataWriter.WriteModel(buffer, metadata))
            : HttpResponses.WriteErrorAsync(context, error!);
    }

    private static Task ReadyAsync(HttpContext context, InferenceEngine engine, string model, string? version)
    {
        var error = CheckName(model) ?? engine.CheckReady(model, version);
        if (error is not null)
        {
            return HttpResponses.WriteErrorAsync(context, error);
        }

        return HttpResponses.WriteJsonAsync(context, buffer =>
        {
            using var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options);
            writer.WriteStartObject();
            writer.WriteString("name", model);
            writer.WriteBoolean("ready", true);
            writer.WriteEndObject();
        });
    }
}
