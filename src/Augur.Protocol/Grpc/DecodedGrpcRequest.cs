using Augur.Inference;

namespace Augur.Protocol.Grpc;

/// <summary>A decoded <see cref="ModelInferRequest"/> with the protocol-level choice the engine does not see.</summary>
/// <param name="Request">The request for the engine.</param>
/// <param name="RawOutputs">
/// True when the client sent its inputs in <c>raw_input_contents</c>: the response then carries its outputs in
/// <c>raw_output_contents</c>, as Triton answers.
/// </param>
public sealed record DecodedGrpcRequest(InferenceRequest Request, bool RawOutputs);
