namespace Augur.Baseline;

/// <summary>The body of <c>POST /v2/models/{model}/infer</c>.</summary>
internal sealed class InferRequest
{
    public string? Id { get; init; }

    public required List<InferInput> Inputs { get; init; }
}
