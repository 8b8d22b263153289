using System.Globalization;
using System.Net;
using System.Text;
using Augur.Bench.Scenarios;

namespace Augur.Bench.Reporting;

/// <summary>
/// A self-contained HTML page: a table of each target's reported run (its metric, latencies, answers by status class,
/// goodput and refusals), a latency-vs-throughput plot (p50 and p99 of every step) and a latency histogram of
/// each target's reported run, as inline SVG. No script, no CDN: it opens offline.
/// </summary>
public static class HtmlReport
{
    private const int Width = 720;
    private const int Height = 320;
    private const int Margin = 56;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    /// <summary>Writes the page for <paramref name="reports"/> (one per target) and the comparison line, if any.</summary>
    public static string Render(IReadOnlyList<BenchReport> reports, string? comparison = null)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>augur bench</title><style>")
            .Append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("svg{background:#fafafa;border:1px solid #ddd}text{font-size:11px}</style></head><body>")
            .Append("<h1>augur bench</h1>");
        if (comparison is not null)
        {
            html.Append("<p><b>").Append(E(comparison)).Append("</b></p>");
        }

        html.Append("<table><tr><th>target</th><th>model</th><th>scenario</th><th>metric</th><th>value</th><th>valid</th><th>queries</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>statuses</th><th>goodput/s</th><th>within bound/s</th><th>success p50 / p99 ms</th><th>refusals</th><th>refusal p50 / p99 ms</th></tr>");
        foreach (var r in reports)
        {
            var run = r.Result;
            html.Append(I($"<tr><td>{E(r.Target)}</td><td>{E(r.Model)}</td><td>{r.Scenario}</td><td>{r.Metric}</td><td>{r.Value:0.###}</td><td>{(r.Valid ? "yes" : "no")}</td>"))
                .Append(I($"<td>{run?.Queries}</td><td>{run?.P50Ms:0.###}</td><td>{run?.P90Ms:0.###}</td><td>{run?.P99Ms:0.###}</td><td>{run?.MaxMs:0.###}</td>"))
                .Append(I($"<td>{E(run is null ? string.Empty : RunResult.FormatSources(run.Statuses))}</td><td>{run?.GoodputPerSecond:0.#}</td><td>{run?.GoodputWithinBoundPerSecond:0.#}</td>"))
                .Append(I($"<td>{Pair(run?.SuccessLatency)}</td><td>{run?.Refusals}</td><td>{Pair(run?.RefusalLatency)}</td></tr>"));
        }

        html.Append("</table><h2>Latency vs throughput</h2>");
        AppendThroughputPlot(html, reports);
        html.Append("<h2>Latency histogram</h2>");
        AppendHistogram(html, reports);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendThroughputPlot(StringBuilder html, IReadOnlyList<BenchReport> reports)
    {
        var points = reports.SelectMany(r => r.Steps).Where(s => s.Queries > 0 && double.IsFinite(s.P99Ms)).ToArray();
        if (points.Length == 0)
        {
            html.Append("<p>no completed queries</p>");
            return;
        }

        var maxX = Nice(points.Max(p => p.SamplesPerSecond));
        var maxY = Nice(points.Max(p => p.P99Ms));
        if (reports.FirstOrDefault(r => r.LatencyBoundMs is not null)?.LatencyBoundMs is { } bound)
        {
            maxY = Math.Max(maxY, Nice(bound));
        }

        Frame(html, "throughput (samples/s)", "latency (ms)", maxX, maxY);
        if (reports.FirstOrDefault(r => r.LatencyBoundMs is not null)?.LatencyBoundMs is { } b)
        {
            var y = Y(b, maxY);
            html.Append(I($"<line x1=\"{Margin}\" x2=\"{Width - 10}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#999\" stroke-dasharray=\"4\"/><text x=\"{Width - 12}\" y=\"{y - 4:0.#}\" text-anchor=\"end\">p99 bound</text>"));
        }

        for (var i = 0; i < reports.Count; i++)
        {
            var color = Colors[i % Colors.Length];
            var steps = reports[i].Steps.Where(s => s.Queries > 0 && double.IsFinite(s.P99Ms)).OrderBy(s => s.SamplesPerSecond).ToArray();
            foreach (var (percentile, dash) in new[] { (99.0, string.Empty), (50.0, " stroke-dasharray=\"2\"") })
            {
                var line = string.Join(' ', steps.Select(s => I($"{X(s.SamplesPerSecond, maxX):0.#},{Y(percentile >= 99 ? s.P99Ms : s.P50Ms, maxY):0.#}")));
                html.Append(I($"<polyline fill=\"none\" stroke=\"{color}\"{dash} points=\"{line}\"/>"));
                foreach (var s in steps)
                {
                    html.Append(I($"<circle r=\"3\" fill=\"{color}\" cx=\"{X(s.SamplesPerSecond, maxX):0.#}\" cy=\"{Y(percentile >= 99 ? s.P99Ms : s.P50Ms, maxY):0.#}\"><title>{s.SamplesPerSecond:0.#}/s p{percentile:0}={(percentile >= 99 ? s.P99Ms : s.P50Ms):0.###} ms</title></circle>"));
                }
            }

            html.Append(I($"<text x=\"{Margin + 10}\" y=\"{20 + (14 * i)}\" fill=\"{color}\">{E(reports[i].Target)} (solid p99, dotted p50)</text>"));
        }

        html.Append("</svg>");
    }

    private static void AppendHistogram(StringBuilder html, IReadOnlyList<BenchReport> reports)
    {
        foreach (var (report, i) in reports.Select((r, i) => (r, i)))
        {
            var buckets = report.Result?.Histogram ?? [];
            html.Append("<h3>").Append(E(report.Target)).Append("</h3>");
            if (buckets.Count == 0)
            {
                html.Append("<p>no completed queries</p>");
                continue;
            }

            var maxCount = Math.Max(1, buckets.Max(b => b.Count));
            Frame(html, "latency (ms, log-spaced buckets)", "queries", buckets.Count, maxCount, buckets);
            var barWidth = (Width - Margin - 10) / (double)buckets.Count;
            for (var b = 0; b < buckets.Count; b++)
            {
                var top = Y(buckets[b].Count, maxCount);
                html.Append(I($"<rect x=\"{Margin + (b * barWidth) + 1:0.#}\" y=\"{top:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{Height - Margin - top:0.#}\" fill=\"{Colors[i % Colors.Length]}\"><title>≤ {buckets[b].UpToMs:0.###} ms: {buckets[b].Count}</title></rect>"));
            }

            html.Append("</svg>");
        }
    }

    private static void Frame(StringBuilder html, string xLabel, string yLabel, double maxX, double maxY, IReadOnlyList<HistogramBucket>? buckets = null)
    {
        html.Append(I($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">"))
            .Append(I($"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - 10}\" y2=\"{Height - Margin}\" stroke=\"#333\"/><line x1=\"{Margin}\" y1=\"10\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"#333\"/>"))
            .Append(I($"<text x=\"{(Width + Margin) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{E(xLabel)}</text><text transform=\"rotate(-90)\" x=\"{-(Height - Margin) / 2}\" y=\"14\" text-anchor=\"middle\">{E(yLabel)}</text>"));
        for (var t = 0; t <= 4; t++)
        {
            var yValue = maxY * t / 4;
            html.Append(I($"<text x=\"{Margin - 4}\" y=\"{Y(yValue, maxY) + 4:0.#}\" text-anchor=\"end\">{yValue:0.##}</text>"));
            var xValue = maxX * t / 4;
            var label = buckets is null ? xValue.ToString("0.##", CultureInfo.InvariantCulture) : buckets[Math.Min(buckets.Count - 1, (int)xValue)].UpToMs.ToString("0.###", CultureInfo.InvariantCulture);
            html.Append(I($"<text x=\"{X(xValue, maxX):0.#}\" y=\"{Height - Margin + 14}\" text-anchor=\"middle\">{label}</text>"));
        }
    }

    private static double X(double value, double max) => Margin + (value / max * (Width - Margin - 10));

    private static double Y(double value, double max) => Height - Margin - (value / max * (Height - Margin - 10));

    private static double Nice(double value) => value <= 0 || !double.IsFinite(value) ? 1 : value * 1.1;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary><c>0.1 / 0.4</c>: a summary's p50 and p99, or nothing without one.</summary>
    private static string Pair(LatencySummary? latency) => latency is null ? string.Empty : I($"{latency.P50Ms:0.###} / {latency.P99Ms:0.###}");

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
