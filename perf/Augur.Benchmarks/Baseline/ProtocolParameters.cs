using System.Text.Json;
using Augur.Errors;
using Augur.Inference;

namespace Augur.Benchmarks.Baseline;

/// <summary>Reads the protocol's <c>parameters</c> objects, which may carry any keys; only known ones are checked.</summary>
internal static class ProtocolParameters
{
    /// <summary>The response parameter that says where an answer came from (<see cref="PredictionSources"/>).</summary>
    internal const string PredictionSource = "prediction_source";

    public static bool TryGetBool(JsonElement parameters, string name, string owner, ref bool value, out InferenceError? error)
    {
        error = null;
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return JsonDocumentRequestReader.Fail($"the parameters of {owner} must be an object", out error);
        }

        if (!parameters.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return JsonDocumentRequestReader.Fail($"parameter '{name}' of {owner} must be a boolean, not {TensorDataReader.Describe(element)}", out error);
        }

        value = element.GetBoolean();
        return true;
    }

    public static bool TryGetSize(JsonElement parameters, string name, string owner, out long? value, out InferenceError? error)
    {
        value = null;
        error = null;
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return JsonDocumentRequestReader.Fail($"the parameters of {owner} must be an object", out error);
        }

        if (!parameters.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var size) || size < 0)
        {
            return JsonDocumentRequestReader.Fail($"parameter '{name}' of {owner} must be a non-negative integer, not {TensorDataReader.Describe(element)}", out error);
        }

        value = size;
        return true;
    }
}
