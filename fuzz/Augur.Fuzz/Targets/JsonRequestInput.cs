using System.Globalization;
using System.Text;

namespace Augur.Fuzz.Targets;

/// <summary>
/// How a json target input carries the two things the REST door passes the reader: the body, optionally preceded by
/// one line holding the <c>Inference-Header-Content-Length</c> value (digits, or a '-' and digits, then '\n').
/// An input that does not start with such a line is a body sent without the header.
/// </summary>
internal static class JsonRequestInput
{
    // long.MaxValue has 19 digits; one more for a sign.
    private const int MaxHeaderChars = 20;

    public static (ReadOnlyMemory<byte> Body, long? HeaderLength) Split(ReadOnlyMemory<byte> input)
    {
        var span = input.Span;
        var newline = span[..Math.Min(span.Length, MaxHeaderChars + 1)].IndexOf((byte)'\n');
        if (newline > 0 && IsDigitsWithOptionalSign(span[..newline])
            && long.TryParse(span[..newline], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var length))
        {
            return (input[(newline + 1)..], length);
        }

        return (input, null);
    }

    /// <summary>The input that carries <paramref name="body"/> with <paramref name="headerLength"/>, for seeds and tests.</summary>
    public static byte[] Join(ReadOnlySpan<byte> body, long? headerLength) => headerLength is { } length
        ? [.. Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + "\n"), .. body]
        : body.ToArray();

    private static bool IsDigitsWithOptionalSign(ReadOnlySpan<byte> text)
    {
        var digits = text[0] == (byte)'-' ? text[1..] : text;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }
}
