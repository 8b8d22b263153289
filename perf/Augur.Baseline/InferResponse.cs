namespace Augur.Baseline;

/// <summary>The body of a successful inference.</summary>
internal sealed record InferResponse(string ModelName, string ModelVersion, string? Id, List<InferOutput> Outputs);
