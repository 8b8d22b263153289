namespace Augur.Protocol.Json;

/// <summary>Limits applied while decoding JSON requests.</summary>
public sealed class JsonCodecOptions
{
    /// <summary>
    /// The deepest JSON nesting accepted. Default 32: enough for nested <c>data</c> of rank-25 tensors,
    /// and a bound on the work an adversarial body can cause.
    /// </summary>
    public int MaxDepth { get; set; } = 32;
}
