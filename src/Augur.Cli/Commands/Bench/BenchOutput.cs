using System.Globalization;
using System.Text.Json;
using Augur.Bench;
using Augur.Bench.Reporting;
using Spectre.Console;

namespace Augur.Cli.Commands.Bench;

/// <summary>The live progress display and the result files.</summary>
internal static class BenchOutput
{
    /// <summary>
    /// Runs <paramref name="work"/> under a live status line (queries recorded so far) when the console is a
    /// terminal; redirected output gets only the per-run lines.
    /// </summary>
    public static async Task<T> WithProgressAsync<T>(BenchSession session, string label, Func<Task<T>> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await work().ConfigureAwait(false);
        }

        return await AnsiConsole.Status().StartAsync(label, async context =>
        {
            var task = work();
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            while (!task.IsCompleted)
            {
                context.Status(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Markup.Escape(label)}: {session.Runner.RecordedQueries} queries in this run, {elapsed.Elapsed.TotalSeconds:0}s elapsed"));
                await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(250))).ConfigureAwait(false);
            }

            return await task.ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static async Task WriteFilesAsync(FileInfo? json, FileInfo? html, object result, IReadOnlyList<BenchReport> reports, string? comparison, CancellationToken cancellationToken)
    {
        if (json is not null)
        {
            await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(result, BenchReport.JsonOptions) + "\n", cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"wrote {json.FullName}");
        }

        if (html is not null)
        {
            await File.WriteAllTextAsync(html.FullName, HtmlReport.Render(reports, comparison), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"wrote {html.FullName}");
        }
    }
}
