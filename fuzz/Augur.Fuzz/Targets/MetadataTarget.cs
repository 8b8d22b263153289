using System.Text;
using System.Text.Json;
using Augur.Protocol.Json;

namespace Augur.Fuzz.Targets;

/// <summary>
/// The client side's metadata reader: <see cref="MetadataReader.ReadInputs"/> on a <c>GET /v2/models/{m}</c> response
/// body from any server (augur infer --url, augur bench). It may refuse a body only with the exceptions it documents,
/// which its callers catch; any other exception escapes them.
/// </summary>
internal sealed class MetadataTarget : FuzzTarget
{
    public const string TargetName = "metadata";

    private const string Decoder = "MetadataReader.ReadInputs";

    public override string Name => TargetName;

    public override FuzzOutcome Run(ReadOnlyMemory<byte> input)
    {
        // As HttpContent.ReadAsStringAsync gives it: UTF-8, with invalid bytes replaced.
        var body = Encoding.UTF8.GetString(input.Span);
        var budget = AllocationBudget.Start(input.Length);
        try
        {
            var inputs = MetadataReader.ReadInputs(body);
            budget.Check(Decoder);
            if (inputs.FirstOrDefault(spec => spec is null || spec.Name is null || spec.Shape is null) is { } broken)
            {
                throw new PropertyViolation($"{Decoder} returned an input spec with a null member: {broken?.ToString() ?? "null"}");
            }

            return new FuzzOutcome(FuzzStage.Decoded, $"{inputs.Length} inputs");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            budget.Check(Decoder);
            return new FuzzOutcome(FuzzStage.RejectedByDecoder, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
