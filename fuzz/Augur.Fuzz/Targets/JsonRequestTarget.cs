using Augur.Fuzz.Engine;
using Augur.Protocol.Json;

namespace Augur.Fuzz.Targets;

/// <summary>
/// The REST door's decoder: <see cref="InferRequestReader"/> on a body and its <c>Inference-Header-Content-Length</c>
/// (framed as <see cref="JsonRequestInput"/> describes), then the engine on what it decoded.
/// </summary>
internal sealed class JsonRequestTarget(FuzzEngine engine) : FuzzTarget
{
    public const string TargetName = "json";

    private const string Decoder = "InferRequestReader.TryRead";

    // The server's defaults, as a client meets them.
    private static readonly JsonCodecOptions Options = new();

    public override string Name => TargetName;

    public override FuzzOutcome Run(ReadOnlyMemory<byte> input)
    {
        var (body, headerLength) = JsonRequestInput.Split(input);
        var budget = AllocationBudget.Start(input.Length);
        var ok = InferRequestReader.TryRead(body, headerLength, FuzzModel.Name, null, Options, out var decoded, out var error);
        budget.Check(Decoder);
        DecodeOutcome.Check(Decoder, ok, decoded, error);
        if (!ok)
        {
            return new FuzzOutcome(FuzzStage.RejectedByDecoder, error!.Message);
        }

        CheckNestedVariant(body, headerLength, decoded);
        return engine.Check(decoded.Request);
    }

    private static void CheckNestedVariant(ReadOnlyMemory<byte> body, long? headerLength, DecodedInferRequest decoded)
    {
        if (NestedDataVariant.TryCreate(body, headerLength, decoded) is not { } variant)
        {
            return;
        }

        if (!InferRequestReader.TryRead(variant.Body, variant.HeaderLength, FuzzModel.Name, null, Options, out var again, out var error))
        {
            throw new PropertyViolation($"the request decoded with flat data but not with the same data nested: {error}");
        }

        for (var i = 0; i < decoded.Request.Inputs.Count; i++)
        {
            DecodeOutcome.CheckSame("flat and nested data", decoded.Request.Inputs[i], again.Request.Inputs[i], compareShapes: !variant.Nested[i]);
        }
    }
}
