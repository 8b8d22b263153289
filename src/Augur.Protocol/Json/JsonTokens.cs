using System.Text;
using System.Text.Json;

namespace Augur.Protocol.Json;

/// <summary>
/// What the one-pass request reader needs of a <see cref="Utf8JsonReader"/> token: its description for error messages
/// (the same words as <see cref="TensorDataReader.Describe(JsonElement)"/>) and its text, with an escape that is not
/// valid Unicode reported as a problem instead of thrown.
/// </summary>
internal static class JsonTokens
{
    /// <summary>The message for a string whose escapes are not valid Unicode ("\ud800").</summary>
    public static string InvalidUnicode(string detail) => $"the request JSON has a string that is not valid Unicode: {detail}";

    /// <summary>The current token's value described for an error message: <c>the number 1.5</c>, <c>an array</c>, ...</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        // ValueSpan holds a string as written (escapes kept) without its quotes: the raw text is it, quoted.
        JsonTokenType.String => $"the string {Truncate($"\"{Encoding.UTF8.GetString(reader.ValueSpan)}\"")}",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        JsonTokenType.True => "the boolean true",
        JsonTokenType.False => "the boolean false",
        _ => $"the number {Truncate(Encoding.UTF8.GetString(reader.ValueSpan))}",
    };

    /// <summary>Reads the current string token; false with <paramref name="problem"/> set when its escapes are not valid Unicode.</summary>
    public static bool TryGetString(ref Utf8JsonReader reader, out string value, out string? problem)
    {
        try
        {
            value = reader.GetString()!;
            problem = null;
            return true;
        }
        catch (InvalidOperationException ex)
        {
            value = string.Empty;
            problem = InvalidUnicode(ex.Message);
            return false;
        }
    }

    /// <summary>Truncates a value's text for a message, as every reader of the protocol does.</summary>
    public static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
