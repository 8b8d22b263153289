using System.Globalization;
using Augur.Protocol.Parameters;
using Google.Protobuf.Collections;

namespace Augur.Protocol.Grpc;

/// <summary>A protobuf <c>map&lt;string, InferParameter&gt;</c> as a source for <see cref="RequestParameters"/>.</summary>
internal readonly struct GrpcParameterSource(MapField<string, InferParameter> parameters) : IParameterSource
{
    public bool TryGet(string name, out ParameterValue value)
    {
        if (!parameters.TryGetValue(name, out var parameter))
        {
            value = default;
            return false;
        }

        value = parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.BoolParam => ParameterValue.FromBool(parameter.BoolParam, $"the bool_param {(parameter.BoolParam ? "true" : "false")}"),
            InferParameter.ParameterChoiceOneofCase.Int64Param => ParameterValue.FromInteger(parameter.Int64Param, $"the int64_param {parameter.Int64Param.ToString(CultureInfo.InvariantCulture)}"),
            InferParameter.ParameterChoiceOneofCase.Uint64Param => ParameterValue.FromInteger(parameter.Uint64Param, $"the uint64_param {parameter.Uint64Param.ToString(CultureInfo.InvariantCulture)}"),
            InferParameter.ParameterChoiceOneofCase.StringParam => ParameterValue.FromString(parameter.StringParam, $"the string_param \"{parameter.StringParam}\""),
            InferParameter.ParameterChoiceOneofCase.DoubleParam => ParameterValue.FromOther($"the double_param {parameter.DoubleParam.ToString(CultureInfo.InvariantCulture)}"),
            _ => ParameterValue.FromOther("a parameter with no value set"),
        };
        return true;
    }
}
