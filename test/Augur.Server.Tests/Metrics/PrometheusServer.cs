using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Augur.Server.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus, installed by .ci/run) on 127.0.0.1, scraping one target every
/// second, with its data in a temporary folder that is deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
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
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Binary}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitUntilAsync(async () => (await server._client.GetAsync("/-/ready")).IsSuccessStatusCode);
        return server;
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
                // Not listening yet.
            }

            // Prometheus scrapes once a second; asking more often only burns the test's two cores.
            await Task.Delay(100, deadline.Token);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(ServerFixture.Timeout);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
