using System.Text.Json;
using Augur.Inference;
using Augur.Protocol.Grpc;

namespace Augur.Bench.Targets;

/// <summary>
/// Reads the <c>prediction_source</c> response parameter of an infer response: from its JSON (the JSON part, for a
/// binary tensor data response), where only the top-level <c>parameters</c> object is looked into, or from a gRPC
/// response's parameters.
/// </summary>
internal static class PredictionSourceReader
{
    private static readonly byte[] ParametersName = "parameters"u8.ToArray();
    /// <summary>The response parameter's name (the protocol's own constant is internal to Augur.Protocol).</summary>
    public const string ParameterName = "prediction_source";

    private static readonly byte[] SourceName = System.Text.Encoding.UTF8.GetBytes(ParameterName);

    /// <summary>The source the response names (the known ones as shared constants), or null when it names none or is not JSON.</summary>
    public static string? Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isParameters = reader.ValueTextEquals(ParametersName);
                reader.Read();
                if (isParameters && reader.TokenType == JsonTokenType.StartObject)
                {
                    return ReadSource(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not the protocol's JSON (an error page, say): it names no source.
        }

        return null;
    }

    /// <summary>The source a gRPC response names, or null when it names none.</summary>
    public static string? Read(ModelInferResponse? response) =>
        response is not null && response.Parameters.TryGetValue(ParameterName, out var source) && source.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.StringParam
            ? Known(source.StringParam)
            : null;

    private static string Known(string source) => source switch
    {
        PredictionSources.Model => PredictionSources.Model,
        PredictionSources.Cache => PredictionSources.Cache,
        PredictionSources.Precomputed => PredictionSources.Precomputed,
        _ => source,
    };

    private static string? ReadSource(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSource = reader.ValueTextEquals(SourceName);
            reader.Read();
            if (isSource && reader.TokenType == JsonTokenType.String)
            {
                // The known values as constants, so counting them allocates nothing per response.
                return reader.ValueTextEquals(PredictionSources.Model) ? PredictionSources.Model
                    : reader.ValueTextEquals(PredictionSources.Cache) ? PredictionSources.Cache
                    : reader.ValueTextEquals(PredictionSources.Precomputed) ? PredictionSources.Precomputed
                    : reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }
}
