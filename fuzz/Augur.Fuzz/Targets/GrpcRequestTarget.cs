using Augur.Fuzz.Engine;
using Augur.Protocol.Grpc;
using Google.Protobuf;

namespace Augur.Fuzz.Targets;

/// <summary>
/// The gRPC door's decoder: a <see cref="ModelInferRequest"/> parsed from the input's bytes (bytes that are not one
/// are refused by the gRPC stack before Augur sees them), then <see cref="GrpcRequestReader"/>, then the engine.
/// </summary>
internal sealed class GrpcRequestTarget(FuzzEngine engine) : FuzzTarget
{
    public const string TargetName = "grpc";

    private const string Decoder = "GrpcRequestReader.TryRead";

    public override string Name => TargetName;

    public override FuzzOutcome Run(ReadOnlyMemory<byte> input)
    {
        ModelInferRequest message;
        try
        {
            message = ModelInferRequest.Parser.ParseFrom(input.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return new FuzzOutcome(FuzzStage.NotAMessage, ex.Message);
        }

        var budget = AllocationBudget.Start(input.Length);
        var ok = GrpcRequestReader.TryRead(message, out var decoded, out var error);
        budget.Check(Decoder);
        DecodeOutcome.Check(Decoder, ok, decoded, error);
        if (!ok)
        {
            return new FuzzOutcome(FuzzStage.RejectedByDecoder, error!.Message);
        }

        CheckRoundTrip(decoded);
        return engine.Check(decoded.Request);
    }

    // What the reader decoded, written back with GrpcRequestWriter and sent over the wire, must decode to the same tensors.
    private static void CheckRoundTrip(DecodedGrpcRequest decoded)
    {
        var request = decoded.Request;
        var written = GrpcRequestWriter.Create(request.ModelName, request.ModelVersion, request.Inputs, decoded.RawOutputs);
        var wire = ModelInferRequest.Parser.ParseFrom(written.ToByteArray());
        if (!GrpcRequestReader.TryRead(wire, out var again, out var error))
        {
            throw new PropertyViolation($"the decoded request, written back with GrpcRequestWriter, does not decode: {error}");
        }

        for (var i = 0; i < request.Inputs.Count; i++)
        {
            DecodeOutcome.CheckSame("GrpcRequestWriter round trip", request.Inputs[i], again.Request.Inputs[i]);
        }
    }
}
