using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Parameters;

namespace Augur.Protocol.Json;

/// <summary>Reads the protocol's <c>parameters</c> objects, which may carry any keys; only known ones are checked.</summary>
internal static class ProtocolParameters
{
    /// <summary>The response parameter that says where an answer came from (<see cref="PredictionSources"/>).</summary>
    public const string PredictionSource = "prediction_source";

    /// <summary>The request parameter that asks for every output as binary data.</summary>
    public const string BinaryDataOutput = "binary_data_output";

    /// <summary>The input parameter that says the input's data is binary, and how many bytes it has.</summary>
    public const string BinaryDataSize = "binary_data_size";

    /// <summary>The output parameter that asks for the output as binary data.</summary>
    public const string BinaryData = "binary_data";

    public static bool TryGetBool(JsonParameterSource parameters, string name, string owner, ref bool value, out InferenceError? error)
    {
        error = null;
        if (!parameters.IsObject)
        {
            return InferRequestReader.Fail($"the parameters of {owner} must be an object", out error);
        }

        if (!parameters.TryGetUnchecked(name, out var element))
        {
            return true;
        }

        if (element.Kind != ParameterKind.Bool)
        {
            return InferRequestReader.Fail($"parameter '{name}' of {owner} must be a boolean, not {element.Description}", out error);
        }

        value = element.Bool;
        return true;
    }

    public static bool TryGetSize(JsonParameterSource parameters, string name, string owner, out long? value, out InferenceError? error)
    {
        value = null;
        error = null;
        if (!parameters.IsObject)
        {
            return InferRequestReader.Fail($"the parameters of {owner} must be an object", out error);
        }

        if (!parameters.TryGetUnchecked(name, out var element))
        {
            return true;
        }

        if (element.Kind != ParameterKind.Integer || element.Integer < 0 || element.Integer > long.MaxValue)
        {
            return InferRequestReader.Fail($"parameter '{name}' of {owner} must be a non-negative integer, not {element.Description}", out error);
        }

        value = (long)element.Integer;
        return true;
    }
}
