using System.Globalization;

namespace Augur.Engine.Budget;

/// <summary>Byte counts for people: <c>512 bytes</c>, <c>1.5 MiB</c>, <c>3 GiB</c> (binary units, one decimal at most).</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
        }

        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
