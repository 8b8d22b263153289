namespace Augur.Protocol.Json;

/// <summary>
/// Why an input's <c>data</c> did not decode. Most problems are the input's and are worded after its name, which the
/// one-pass reader may meet only after the data; a string whose escapes are not valid Unicode is the request's.
/// </summary>
/// <param name="Message">The problem, without the input's name.</param>
/// <param name="RequestWide">Whether <paramref name="Message"/> is the whole message, naming no input.</param>
internal readonly record struct DataProblem(string Message, bool RequestWide)
{
    /// <summary>The message for the input called <paramref name="input"/>.</summary>
    public string For(string input) => RequestWide ? Message : $"input '{input}': {Message}";
}
