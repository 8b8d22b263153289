using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// Whether a BYTES value is text: valid UTF-8. <c>text_ngrams</c> reads only such values (design note 0013), in C# as in
/// the fused graph, whose string operators refuse anything else.
/// </summary>
internal static class Utf8Text
{
    /// <summary>Null for valid UTF-8; else where it stops being so, e.g. <c>byte 0xFF at offset 3 is not valid UTF-8</c>.</summary>
    public static string? Problem(ReadOnlySpan<byte> value)
    {
        if (Utf8.IsValid(value))
        {
            return null;
        }

        var offset = 0;
        while (offset < value.Length)
        {
            if (Rune.DecodeFromUtf8(value[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return $"byte 0x{value[offset]:X2} at offset {offset} is not valid UTF-8";
            }

            offset += consumed;
        }

        return "the value is not valid UTF-8";
    }
}
