using System.Diagnostics;
using System.Net;
using Augur.Server.Tests.Scheduling;

namespace Augur.Server.Tests.Metrics;

/// <summary>/metrics in Prometheus text format: the engine's instruments, tagged by model and version, as Prometheus reads them.</summary>
public sealed class MetricsEndpointTests
{
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    [Fact]
    public async Task Metrics_count_requests_by_outcome_and_batches_by_reason_with_conventional_names()
    {
        await using var server = await GatedServer.StartAsync("{}");
        await OpenGateAndPostOkAsync(server, 3);

        using var bad = await server.PostAsync(GatedServer.Body("bad", """{"priority": 9}""")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var lines = (await server.MetricsAsync()).Split('\n');

        Assert.Equal("3", Sample(lines, "augur_requests_total", "outcome=\"success\""));
        Assert.Equal("1", Sample(lines, "augur_requests_total", "outcome=\"invalid_argument\""));
        Assert.Equal("3", Sample(lines, "augur_request_duration_seconds_count", "outcome=\"success\""));
        Assert.Equal("1", Sample(lines, "augur_request_duration_seconds_count", "outcome=\"invalid_argument\""));
        Assert.Equal("3", Sample(lines, "augur_batch_size_count", "reason=\"immediate\""));
        Assert.Equal("3", Sample(lines, "augur_queue_duration_seconds_count"));
        Assert.Equal("3", Sample(lines, "augur_compute_duration_seconds_count"));
        Assert.Equal("0", Sample(lines, "augur_queue_depth"));
        Assert.Equal("1", Sample(lines, "augur_instances"));
        Assert.Equal("0", Sample(lines, "augur_instance_busy"));
        Assert.Equal("8", Sample(lines, "augur_batch_limit"));
        Assert.NotNull(Sample(lines, "augur_instance_busy_time_seconds_total"));
        Assert.Contains("# TYPE augur_request_duration_seconds histogram", lines);
        Assert.Contains("# TYPE augur_requests_total counter", lines);
    }

    [Fact]
    public async Task Promtool_accepts_the_metrics_page()
    {
        await using var server = await GatedServer.StartAsync("{}");
        server.OpenGate();
        using (var ok = await server.PostAsync(GatedServer.Body("ok")).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var page = await server.MetricsAsync();
        var start = new ProcessStartInfo("/usr/bin/promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(page);
        promtool.StandardInput.Close();
        var problems = await promtool.StandardError.ReadToEndAsync().WaitAsync(Timeout) + await promtool.StandardOutput.ReadToEndAsync().WaitAsync(Timeout);
        await promtool.WaitForExitAsync().WaitAsync(Timeout);

        Assert.True(promtool.ExitCode == 0, problems);
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_the_request_counter()
    {
        await using var server = await GatedServer.StartAsync("{}");
        await OpenGateAndPostOkAsync(server, 5);

        await using var prometheus = await PrometheusServer.StartAsync(server.Client.BaseAddress!, "/metrics");

        await prometheus.WaitUntilAsync(async () =>
            await prometheus.QueryAsync($"augur_requests_total{{model=\"{GatedServer.Model}\",outcome=\"success\"}}") == "5");
        Assert.Equal("5", await prometheus.QueryAsync($"sum(augur_batch_size_count{{model=\"{GatedServer.Model}\"}})"));
    }

    [Fact]
    public async Task Each_server_exports_its_own_engine_only()
    {
        await using var busy = await GatedServer.StartAsync("{}");
        await using var idle = await GatedServer.StartAsync("{}");
        busy.OpenGate();
        using (var ok = await busy.PostAsync(GatedServer.Body("ok")).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal("1", Sample((await busy.MetricsAsync()).Split('\n'), "augur_requests_total", "outcome=\"success\""));
        Assert.Null(Sample((await idle.MetricsAsync()).Split('\n'), "augur_requests_total"));
    }

    [Fact]
    public async Task The_metrics_endpoint_can_be_turned_off()
    {
        await using var server = await GatedServer.StartAsync("{}", metricsPath: null);

        using var response = await server.Client.GetAsync("/metrics").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Opens the gate of <paramref name="server"/> and posts <paramref name="count"/> requests, one after another, each answered 200 OK.</summary>
    private static async Task OpenGateAndPostOkAsync(GatedServer server, int count)
    {
        server.OpenGate();
        for (var i = 0; i < count; i++)
        {
            using var ok = await server.PostAsync(GatedServer.Body($"ok{i}")).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> for the gated model whose labels include <paramref name="label"/>.</summary>
    private static string? Sample(string[] lines, string metric, string? label = null)
    {
        var matches = lines
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"model=\"{GatedServer.Model}\"", StringComparison.Ordinal))
            .Where(l => label is null || l.Contains(label, StringComparison.Ordinal))
            .ToArray();
        Assert.True(matches.Length <= 1, $"several samples of {metric} {label}: {string.Join(" | ", matches)}");
        return matches.Length == 0 ? null : matches[0][(matches[0].LastIndexOf(' ') + 1)..];
    }
}
