using System.Text.Json;
using Augur;
using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;

namespace EmbeddedWebApp;

/// <summary>
/// <c>POST /score</c>: a <see cref="Transaction"/> in, a decision out, e.g.
/// <c>{"id":"tx-42","fraudProbability":0.6088,"decision":"review"}</c>. The engine runs the fraud model in this process;
/// no call leaves the app.
/// </summary>
internal static class ScoreEndpoint
{
    private const string Model = "fraud";

    public static void Map(IEndpointRouteBuilder routes) => routes.MapPost("/score", ScoreAsync);

    private static async Task<IResult> ScoreAsync(HttpRequest request, InferenceEngine engine, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "send the transaction as application/json");
        }

        Transaction? transaction;
        try
        {
            transaction = await request.ReadFromJsonAsync<Transaction>(cancellationToken);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, $"the body is not a transaction: {ex.Message}");
        }

        if ((transaction is null ? "the body is not a transaction: null" : transaction.Problem()) is { } problem)
        {
            return Error(StatusCodes.Status400BadRequest, problem);
        }

        var features = InferenceTensor.Create("features", transaction!.Features(), 1, 8);
        var result = await engine.TryInferAsync(new InferenceRequest(Model, [features]) { Id = transaction.Id }, cancellationToken);
        if (result.Error is { } error)
        {
            return Error(error.Code.ToHttpStatus(), error.Message);
        }

        var probability = result.Response!["probability"].AsSpan<float>()[0];
        var flagged = result.Response["label"].AsSpan<long>()[0] == 1;
        return Results.Ok(new FraudDecision(transaction.Id, Math.Round(probability, 4), flagged ? "review" : "approve"));
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private sealed record FraudDecision(string Id, double FraudProbability, string Decision);
}
