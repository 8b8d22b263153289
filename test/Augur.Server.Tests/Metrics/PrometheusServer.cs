using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Augur.Server.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus, installed by .ci/run) on 127.0.0.1, scraping one target every
/// second, with its data in a temporary folder that is deleted on dispose. It listens on a port it picks itself (port
/// 0) and logs; the address is read from that log line, so no other process can hold the port in between.
/// </summary>
internal sealed partial class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _client;

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        _client = new HttpClient { BaseAddress = address, Timeout = ServerFixture.Timeout };
    }

    /// <summary>The web listener's log line (exporter-toolkit's, at info level), e.g. <c>msg="Listening on" address=127.0.0.1:39457</c>.</summary>
    [GeneratedRegex("""msg="Listening on".*\baddress="?([^"\s]+)""")]
    private static partial Regex ListeningOn();

    public static async Task<PrometheusServer> StartAsync(Uri target, string metricsPath)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"augur-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: augur
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", "--web.listen-address=127.0.0.1:0", "--log.level=info" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = start };
        var log = new StringBuilder();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                // The end of its log: it exited (a bad flag, no room for its data) before it listened.
                listening.TrySetException(new InvalidOperationException($"{Binary} stopped before listening:\n{Read(log)}"));
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string address;
        try
        {
            address = await listening.Task.WaitAsync(ServerFixture.Timeout);
        }
        catch
        {
            await StopAsync(process, directory);
            throw;
        }

        var server = new PrometheusServer(process, directory, new Uri($"http://{address}"));
        try
        {
            await server.WaitUntilAsync(async () => (await server._client.GetAsync("/-/ready")).IsSuccessStatusCode);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static string Read(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>The value of an instant query's single series, or null while Prometheus has no sample.</summary>
    public async Task<string?> QueryAsync(string query)
    {
        var json = JsonNode.Parse(await _client.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"))!;
        var result = json["data"]!["result"]!.AsArray();
        return result.Count == 1 ? result[0]!["value"]![1]!.GetValue<string>() : null;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="ServerFixture.Timeout"/> times two.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(ServerFixture.Timeout * 2);
        while (true)
        {
            deadline.Token.ThrowIfCancellationRequested();
            try
            {
                if (await condition().WaitAsync(deadline.Token))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            // Prometheus scrapes once a second; asking more often only burns the test's two cores.
            await Task.Delay(100, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await StopAsync(_process, _directory);
    }

    private static async Task StopAsync(Process process, string directory)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(ServerFixture.Timeout);
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
