using System.Text.Json;


namespace Augur.Benchmarks.Baseline;

/// <summary>A JSON <c>parameters</c> object (already checked to be an object) as a source for <see cref="RequestParameters"/>.</summary>
internal readonly struct JsonParameterSource(JsonElement parameters) : IParameterSource
{
    public bool TryGet(string name, out ParameterValue value)
    {
        if (!parameters.TryGetProperty(name, out var element))
        {
            value = default;
            return false;
        }

        var description = TensorDataReader.Describe(element);
        value = element.ValueKind switch
        {
            JsonValueKind.True or JsonValueKind.False => ParameterValue.FromBool(element.GetBoolean(), description),
            JsonValueKind.String => ParameterValue.FromString(element.GetString()!, description),
            JsonValueKind.Number when element.TryGetInt64(out var signed) => ParameterValue.FromInteger(signed, description),
            JsonValueKind.Number when element.TryGetUInt64(out var unsigned) => ParameterValue.FromInteger(unsigned, description),
            _ => ParameterValue.FromOther(description),
        };
        return true;
    }
}
