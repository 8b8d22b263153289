using System.Globalization;

namespace Augur.Cli.Tests;

/// <summary>Reads a server's Prometheus text at <c>/metrics</c>.</summary>
internal static class ServerMetrics
{
    public static async Task<string[]> ReadAsync(HttpClient client) =>
        (await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).ConfigureAwait(false)).Split('\n');

    /// <summary>The lines of the series named <paramref name="prefix"/> (e.g. <c>augur_worker_memory_bytes{</c>) whose labels hold <paramref name="label"/>.</summary>
    public static string[] Series(string[] metrics, string prefix, string label) =>
        metrics.Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal)).ToArray();

    /// <summary>The sum of those series' values; 0 when there are none.</summary>
    public static double Value(string[] metrics, string prefix, string label) =>
        Series(metrics, prefix, label).Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Sum();
}
