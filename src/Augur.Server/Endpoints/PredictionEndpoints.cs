using Augur.Batch.Storage;
using Augur.Precomputed;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Augur.Server.Endpoints;

/// <summary>
/// <c>GET /v2/models/{model}/predictions/{key}</c> or <c>GET /v2/models/{model}/predictions?key=KEY</c>: the newest
/// prediction a batch job stored for the key (<see cref="AugurServerOptions.PredictionStore"/>). The query form takes
/// any key; the path form takes keys that are safe path segments (the request path guard refuses an encoded '/', a
/// '\', a control character or a dot segment before routing). 200 with <see cref="PredictionJson"/>, 404 for an unknown key or
/// when the server has no store, 400 for a bad model name or key, 503 when the store cannot be reached. The store is read
/// through the same abstraction precomputed predictions use (<see cref="IPrecomputedPredictions"/>), so any store they
/// can answer from, Redis included, serves this route too.
/// </summary>
internal static class PredictionEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/models/{model}/predictions/{key}", (HttpContext context, AugurServerOptions options, string model, string key) => GetAsync(context, options, model, key));
        routes.MapGet("/v2/models/{model}/predictions", (HttpContext context, AugurServerOptions options, string model) => GetAsync(context, options, model, context.Request.Query["key"].ToString()));
    }

    private static async Task GetAsync(HttpContext context, AugurServerOptions options, string model, string key)
    {
        if (MetadataEndpoints.CheckName(model) is { } invalid)
        {
            await HttpResponses.WriteErrorAsync(context, invalid).ConfigureAwait(false);
            return;
        }

        if (PredictionJson.CheckKey(key) is { } badKey)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"key: {badKey}").ConfigureAwait(false);
            return;
        }

        if (options.PredictionStore is not { } store)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, "this server has no prediction store (augur serve --prediction-store DB)").ConfigureAwait(false);
            return;
        }

        PrecomputedPrediction? prediction;
        try
        {
            prediction = await store.FindAsync(new PrecomputedQuery(model, key), context.RequestAborted).ConfigureAwait(false);
        }
        catch (PrecomputedStoreException ex)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message).ConfigureAwait(false);
            return;
        }

        if (prediction is null)
        {
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"no stored prediction of model '{model}' for key '{key}'").ConfigureAwait(false);
            return;
        }

        await HttpResponses.WriteJsonAsync(context, buffer => PredictionJson.Write(buffer, model, prediction)).ConfigureAwait(false);
    }
}
