namespace Augur.Benchmarks.Baseline;

/// <summary>What kind of value a request parameter holds, whatever the transport.</summary>
internal enum ParameterKind
{
    /// <summary>true or false.</summary>
    Bool,
    /// <summary>An integer: JSON number without fraction, gRPC int64_param or uint64_param.</summary>
    Integer,
    /// <summary>A string.</summary>
    String,
    /// <summary>Anything else (a fraction, an array, null, ...); only its description is kept.</summary>
    Other,
}

/// <summary>
/// One request parameter in a transport-neutral form, so the JSON and gRPC readers share one set of rules
/// (<see cref="RequestParameters"/>). <see cref="Description"/> words the value for error messages,
/// e.g. <c>the number -1</c>.
/// </summary>
internal readonly record struct ParameterValue(ParameterKind Kind, bool Bool, Int128 Integer, string? String, string Description)
{
    public static ParameterValue FromBool(bool value, string description) => new(ParameterKind.Bool, value, 0, null, description);

    public static ParameterValue FromInteger(Int128 value, string description) => new(ParameterKind.Integer, false, value, null, description);

    public static ParameterValue FromString(string value, string description) => new(ParameterKind.String, false, 0, value, description);

    public static ParameterValue FromOther(string description) => new(ParameterKind.Other, false, 0, null, description);
}

/// <summary>Where <see cref="RequestParameters"/> looks parameters up: a JSON object or a protobuf map.</summary>
internal interface IParameterSource
{
    /// <summary>The parameter called <paramref name="name"/>, if the request has it.</summary>
    bool TryGet(string name, out ParameterValue value);
}
