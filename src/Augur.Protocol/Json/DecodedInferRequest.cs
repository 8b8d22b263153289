using Augur.Inference;

namespace Augur.Protocol.Json;

/// <summary>A parsed infer request with the protocol-level choices the engine does not see.</summary>
/// <param name="Request">The request for the engine.</param>
/// <param name="BinaryOutputs">
/// For each output to return, in order, whether it goes in the binary section (binary tensor data extension).
/// When the client named no outputs, this holds only the default under the key "" (empty).
/// </param>
public sealed record DecodedInferRequest(InferenceRequest Request, IReadOnlyDictionary<string, bool> BinaryOutputs)
{
    /// <summary>Whether the output named <paramref name="name"/> is returned as binary data.</summary>
    public bool IsBinary(string name) => BinaryOutputs.TryGetValue(name, out var binary) ? binary : BinaryOutputs.GetValueOrDefault(string.Empty);
}
