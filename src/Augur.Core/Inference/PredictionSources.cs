namespace Augur.Inference;

/// <summary>
/// Where an answer came from, as <see cref="InferenceResponse.PredictionSource"/> and the response parameter
/// <c>prediction_source</c> say. Models whose pipeline can answer without the model (a response cache, precomputed
/// predictions) say it on every response; other models never do.
/// </summary>
public static class PredictionSources
{
    /// <summary>The model ran for this request.</summary>
    public const string Model = "model";

    /// <summary>The response cache held an identical request's answer from the same version.</summary>
    public const string Cache = "cache";

    /// <summary>A precomputed prediction (from <c>augur batch</c>) of the version now serving answered.</summary>
    public const string Precomputed = "precomputed";
}
