using System.Globalization;

namespace Augur.WorkerTransport;

/// <summary>Byte sizes as the command line and the report write them: 4K, 64K, 1M, 64M (binary units).</summary>
internal static class Sizes
{
    public static bool TryParse(string text, out int bytes)
    {
        bytes = 0;
        var unit = text.Length > 0 ? char.ToUpperInvariant(text[^1]) : ' ';
        var (digits, scale) = unit switch
        {
            'K' => (text[..^1], 1L << 10),
            'M' => (text[..^1], 1L << 20),
            _ => (text, 1L),
        };
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count * scale > int.MaxValue)
        {
            return false;
        }

        bytes = (int)(count * scale);
        return true;
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1 << 10 when bytes % (1 << 10) == 0 => $"{bytes >> 10} KiB",
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.0} MiB",
        >= 1 << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
