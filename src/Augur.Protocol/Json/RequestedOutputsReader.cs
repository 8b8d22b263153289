using System.Text.Json;

namespace Augur.Protocol.Json;

/// <summary>
/// Reads a request's <c>outputs</c> in the request's one pass: each output's name and, when it says so, whether it is
/// returned as binary data. The request-wide default (<c>binary_data_output</c>) may come later in the body, so an
/// output that does not say is left to it.
/// </summary>
internal static class RequestedOutputsReader
{
    private static readonly string[] ParameterNames = [ProtocolParameters.BinaryData];

    /// <summary>Reads the value <paramref name="reader"/> is on, leaving the reader on its last token.</summary>
    /// <param name="reader">A reader on the value of <c>outputs</c>.</param>
    /// <param name="outputs">The outputs in order, each with its own binary choice or null, on success.</param>
    /// <param name="problem">The first problem, on failure.</param>
    public static bool TryRead(ref Utf8JsonReader reader, out List<(string Name, bool? Binary)> outputs, out string? problem)
    {
        outputs = [];
        problem = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            problem = "the request 'outputs' must be an array";
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (problem is not null)
            {
                // Only the first bad output is reported; the rest is still read through, for the syntax.
                reader.Skip();
                continue;
            }

            if (!TryReadOne(ref reader, out var output, out problem))
            {
                continue;
            }

            outputs.Add(output);
        }

        return problem is null;
    }

    private static bool TryReadOne(ref Utf8JsonReader reader, out (string Name, bool? Binary) output, out string? problem)
    {
        const string NoName = "each requested output must be an object with a string 'name'";
        output = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            problem = NoName;
            return false;
        }

        string? name = null;
        string? nameProblem = NoName;
        JsonParameterSource? parameters = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals("name"u8);
            var isParameters = !isName && reader.ValueTextEquals("parameters"u8);
            reader.Read();
            if (isName)
            {
                (name, nameProblem) = (null, NoName);
                if (reader.TokenType == JsonTokenType.String)
                {
                    var ok = JsonTokens.TryGetString(ref reader, out var text, out nameProblem);
                    name = ok ? text : null;
                }
            }
            else if (isParameters)
            {
                parameters = JsonParameterSource.Read(ref reader, ParameterNames);
                continue;
            }

            reader.Skip();
        }

        if (nameProblem is not null)
        {
            problem = nameProblem;
            return false;
        }

        bool? binary = null;
        if (parameters is not null)
        {
            var value = false;
            if (!ProtocolParameters.TryGetBool(parameters, ProtocolParameters.BinaryData, $"output '{name}'", ref value, out var error))
            {
                problem = error!.Message;
                return false;
            }

            binary = parameters.TryGetUnchecked(ProtocolParameters.BinaryData, out _) ? value : null;
        }

        output = (name!, binary);
        problem = null;
        return true;
    }
}
