using System.Text.Json;
using Augur.Protocol.Parameters;

namespace Augur.Protocol.Json;

/// <summary>
/// A JSON <c>parameters</c> member, read in the one pass: whether it is an object and the values of the names the
/// reader acts on (the last of a repeated name wins, as in <see cref="JsonDocument"/>). Other names are skipped
/// unread, since the protocol lets clients send parameters a server does not know.
/// </summary>
internal sealed class JsonParameterSource : IParameterSource
{
    private readonly List<(string Name, ParameterValue Value, string? UnicodeProblem)> values = [];

    private JsonParameterSource(bool isObject) => IsObject = isObject;

    /// <summary>Whether the member was an object; when it was not, it has no values.</summary>
    public bool IsObject { get; }

    /// <summary>Reads the value the reader is on, keeping the members named in <paramref name="names"/>; the reader ends on its last token.</summary>
    public static JsonParameterSource Read(ref Utf8JsonReader reader, ReadOnlySpan<string> names)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new JsonParameterSource(false);
        }

        var source = new JsonParameterSource(true);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Match(ref reader, names);
            reader.Read();
            if (name is null)
            {
                reader.Skip();
                continue;
            }

            source.values.Add(ReadValue(ref reader, name));
        }

        return source;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The value is a string whose escapes are not valid Unicode.</exception>
    public bool TryGet(string name, out ParameterValue value)
    {
        for (var i = values.Count - 1; i >= 0; i--)
        {
            if (values[i].Name == name)
            {
                // A string with a bad escape fails when it is used, as reading it from a document would.
                value = values[i].UnicodeProblem is { } problem ? throw new InvalidOperationException(problem) : values[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The value called <paramref name="name"/> for the protocol's own checks, which never read its text.</summary>
    public bool TryGetUnchecked(string name, out ParameterValue value)
    {
        for (var i = values.Count - 1; i >= 0; i--)
        {
            if (values[i].Name == name)
            {
                value = values[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? Match(ref Utf8JsonReader reader, ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        return null;
    }

    private static (string, ParameterValue, string?) ReadValue(ref Utf8JsonReader reader, string name)
    {
        var description = JsonTokens.Describe(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.True or JsonTokenType.False:
                return (name, ParameterValue.FromBool(reader.TokenType == JsonTokenType.True, description), null);
            case JsonTokenType.String:
                try
                {
                    return (name, ParameterValue.FromString(reader.GetString()!, description), null);
                }
                catch (InvalidOperationException ex)
                {
                    return (name, ParameterValue.FromString(string.Empty, description), ex.Message);
                }

            case JsonTokenType.Number when reader.TryGetInt64(out var signed):
                return (name, ParameterValue.FromInteger(signed, description), null);
            case JsonTokenType.Number when reader.TryGetUInt64(out var unsigned):
                return (name, ParameterValue.FromInteger(unsigned, description), null);
            default:
                reader.Skip();
                return (name, ParameterValue.FromOther(description), null);
        }
    }
}
