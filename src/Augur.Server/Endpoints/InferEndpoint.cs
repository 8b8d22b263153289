using System.Buffers;
using System.Globalization;
using Augur.Protocol.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server.Endpoints;

/// <summary>
/// <c>POST /v2/models/{model}[/versions/{version}]/infer</c>: JSON tensors, or JSON plus binary tensor data
/// when <c>Inference-Header-Content-Length</c> is present.
/// </summary>
internal static class InferEndpoint
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/models/{model}/infer", (HttpContext context, string model) => InferAsync(context, model, null));
        routes.MapPost("/v2/models/{model}/versions/{version}/infer", (HttpContext context, string model, string version) => InferAsync(context, model, version));
    }

    private static async Task InferAsync(HttpContext context, string model, string? version)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<AugurServerOptions>();
        if (MetadataEndpoints.CheckName(model) is { } invalidName)
        {
            await HttpResponses.WriteErrorAsync(context, invalidName).ConfigureAwait(false);
            return;
        }

        if (!TryParseHeaderLength(context.Request, out var headerLength))
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"{HeaderLengthHeader} must be a non-negative integer").ConfigureAwait(false);
            return;
        }

        // An unknown or unready model is answered before the body is read, so such requests cost no buffer. A model that a
        // memory budget keeps unloaded passes: the engine loads it for this request.
        var engine = services.GetRequiredService<InferenceEngine>();
        if (engine.CheckCanInfer(model, version) is { } notReady)
        {
            await HttpResponses.WriteErrorAsync(context, notReady).ConfigureAwait(false);
            return;
        }

        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is not { } read)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"the request body exceeds the limit of {options.MaxRequestBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        try
        {
            var memory = read.Buffer.AsMemory(0, read.Length);
            if (!InferRequestReader.TryRead(memory, headerLength, model, version, services.GetRequiredService<JsonCodecOptions>(), out var decoded, out var error))
            {
                await HttpResponses.WriteErrorAsync(context, error!).ConfigureAwait(false);
                return;
            }

            var result = await engine.TryInferAsync(decoded.Request, context.RequestAborted).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                await HttpResponses.WriteErrorAsync(context, result.Error).ConfigureAwait(false);
                return;
            }

            await WriteResponseAsync(context, decoded, result.Response).ConfigureAwait(false);
        }
        finally
        {
            // The request's binary tensors point into this buffer; it goes back only after the response is written.
            ArrayPool<byte>.Shared.Return(read.Buffer);
        }
    }

    private static async Task WriteResponseAsync(HttpContext context, DecodedInferRequest request, Inference.InferenceResponse response)
    {
        var json = new ArrayBufferWriter<byte>(1024);
        var binary = InferResponseWriter.WriteJson(json, response, request);
        if (binary.Count == 0)
        {
            await HttpResponses.WriteAsync(context, StatusCodes.Status200OK, json.WrittenMemory).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers[HeaderLengthHeader] = json.WrittenCount.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentLength = json.WrittenCount + binary.Sum(b => (long)b.Data.Length);
        await context.Response.Body.WriteAsync(json.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        foreach (var tensor in binary)
        {
            await context.Response.Body.WriteAsync(tensor.Data, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool TryParseHeaderLength(HttpRequest request, out long? length)
    {
        length = null;
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var values))
        {
            return true;
        }

        if (values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            length = parsed;
            return true;
        }

        return false;
    }
}
