namespace Augur.Baseline;

/// <summary>The body of a failed request, <c>{"error": "..."}</c>, as on Augur's /v2 routes.</summary>
internal sealed record ErrorBody(string Error);
