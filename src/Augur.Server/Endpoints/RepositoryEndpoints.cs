using System.Text.Json;
using Augur.Errors;
using Augur.Protocol.Json;
using Augur.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server.Endpoints;

/// <summary>
/// Triton's model repository extension: <c>POST /v2/repository/index</c>, <c>POST /v2/repository/models/{model}/load</c>
/// and <c>.../unload</c>. Administration endpoints (see <see cref="ApiKeyAuthorizer"/>). A model is named, never given
/// as a path; Triton's load parameters that carry a config or files (<c>"config"</c>, <c>"file:..."</c>) are refused.
/// </summary>
internal static class RepositoryEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/repository/index", IndexAsync).WithMetadata(AccessRequirement.Administration);
        routes.MapPost("/v2/repository/models/{model}/load", (HttpContext context, InferenceEngine engine, string model) => ControlAsync(context, engine, model, load: true))
            .WithMetadata(AccessRequirement.Administration);
        routes.MapPost("/v2/repository/models/{model}/unload", (HttpContext context, InferenceEngine engine, string model) => ControlAsync(context, engine, model, load: false))
            .WithMetadata(AccessRequirement.Administration);
    }

    private static async Task IndexAsync(HttpContext context, InferenceEngine engine)
    {
        var (body, problem) = await ReadBodyAsync(context).ConfigureAwait(false);
        var readyOnly = false;
        if (problem is null && body is { } root)
        {
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "ready" && property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    readyOnly = property.Value.GetBoolean();
                }
                else
                {
                    problem = $"unknown or invalid field '{property.Name}' (the index accepts {{\"ready\": true|false}})";
                    break;
                }
            }
        }

        if (problem is not null)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        var rows = RepositoryControl.Index(engine, readyOnly);
        await HttpResponses.WriteJsonAsync(context, buffer =>
        {
            using var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options);
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("name", row.Name);
                if (RepositoryControl.VersionOf(row) is { } version)
                {
                    writer.WriteString("version", version);
                }

                writer.WriteString("state", RepositoryControl.StateOf(row));
                writer.WriteString("reason", row.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task ControlAsync(HttpContext context, InferenceEngine engine, string model, bool load)
    {
        if (MetadataEndpoints.CheckName(model) is { } invalid)
        {
            await HttpResponses.WriteErrorAsync(context, invalid).ConfigureAwait(false);
            return;
        }

        var (body, problem) = await ReadBodyAsync(context).ConfigureAwait(false);
        problem ??= body is { } root ? CheckParameters(root, load) : null;
        if (problem is not null)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        var error = await RepositoryControl.ApplyAsync(engine, model, load, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await HttpResponses.WriteErrorAsync(context, error).ConfigureAwait(false);
            return;
        }

        // Triton answers a successful load or unload with 200 and no body.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    /// <summary>Only <c>{"parameters": {...}}</c> is accepted, each parameter as <see cref="RepositoryControl.CheckParameter"/> allows.</summary>
    private static string? CheckParameters(JsonElement root, bool load)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "parameters" || property.Value.ValueKind != JsonValueKind.Object)
            {
                return $"unknown or invalid field '{property.Name}' (only \"parameters\" is accepted)";
            }

            foreach (var parameter in property.Value.EnumerateObject())
            {
                if (RepositoryControl.CheckParameter(parameter.Name, load) is { } problem)
                {
                    return problem;
                }
            }
        }

        return null;
    }

    private static async Task<(JsonElement? Body, string? Problem)> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            return (null, $"the body is larger than {MaxBodyBytes} bytes");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, $"the body is larger than {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (null, "the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not valid JSON: {ex.Message}");
        }
    }
}
