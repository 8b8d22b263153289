using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve</c> as a child process: graceful shutdown, settings from the environment, model control from the CLI.</summary>
public sealed partial class LifecycleCliTests : IDisposable
{
    private const string AdminKey = "cli-admin-key-0123456789";
    private const string InferenceKey = "cli-inference-key-0123456789";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-life-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    /// <summary>Half an hour of waiting for peers: requests stay queued until something sends them, far past the test's bound.</summary>
    private const string HeldConfig = """{"max_batch_size": 8, "instance_count": 1, "dynamic_batching": {"max_queue_delay_microseconds": 1800000000}}""";

    [GeneratedRegex("""augur_queue_depth\{[^}]*model="held"[^}]*\} (\d+)""")]
    private static partial Regex QueueDepth();

    [Fact]
    public async Task On_SIGTERM_requests_queued_for_a_fuller_batch_run_at_once_and_the_process_exits_0()
    {
        // Six requests, a max batch size of 8 and half an hour's queue delay: the server holds all six in the model's
        // queue until shutdown tells it to stop waiting for peers. The drain timeout is far shorter than that delay.
        TestModels.WriteModel(_repository, "held", TestModels.Identity(DataType.Fp32, -1, 1));
        await File.WriteAllTextAsync(Path.Combine(_repository, "held", "config.json"), HeldConfig);
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--drain-timeout", "50");
        var url = await server.WaitForListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout };

        const int requests = 6;
        var inFlight = Enumerable.Range(0, requests).Select(i => client.PostAsync("/v2/models/held/infer", new StringContent(
            $$"""{"id": "r{{i}}", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 1], "data": [{{i}}]}]}""", Encoding.UTF8, "application/json"))).ToArray();
        var metrics = await WaitForQueueDepthAsync(client, requests, inFlight);
        Assert.All(inFlight, t => Assert.False(t.IsCompleted, metrics));

        server.Terminate();
        var responses = await Task.WhenAll(inFlight).WaitAsync(Timeout);

        for (var i = 0; i < requests; i++)
        {
            Assert.Equal(200, (int)responses[i].StatusCode);
            using var body = JsonDocument.Parse(await responses[i].Content.ReadAsStringAsync());
            Assert.Equal($"r{i}", body.RootElement.GetProperty("id").GetString());
            Assert.Equal(i, body.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle());
        }

        Assert.Equal(0, await server.WaitForExitAsync());
    }

    /// <summary>
    /// Polls /metrics (bounded) until the held model's queue holds <paramref name="depth"/> requests, or one of
    /// <paramref name="requests"/> has an answer already (the caller's assertion then says so); returns the last page.
    /// </summary>
    private static async Task<string> WaitForQueueDepthAsync(HttpClient client, int depth, Task[] requests)
    {
        using var waiting = new CancellationTokenSource(Timeout);
        while (true)
        {
            var metrics = await client.GetStringAsync("/metrics", waiting.Token);
            var match = QueueDepth().Match(metrics);
            if ((match.Success && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) == depth) || requests.Any(r => r.IsCompleted))
            {
                return metrics;
            }

            // Another process's state, with no event to wait for: look again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(20), waiting.Token);
        }
    }

    [Theory]
    [InlineData("AUGUR_MaxRequestBody", "lots", "MaxRequestBody")]
    [InlineData("AUGUR_Sekurity__AdminApiKeys__0", "cli-admin-key-0123456789", "Sekurity")]
    [InlineData("AUGUR_Security__AdminApiKeys__0", "tooshort", "Security:AdminApiKeys")]
    [InlineData("AUGUR_ModelControlMode", "sometimes", "ModelControlMode")]
    [InlineData("AUGUR_DrainTimeoutSeconds", "-1", "DrainTimeoutSeconds")]
    public async Task Bad_settings_from_the_environment_stop_serve_with_a_message_naming_the_setting(string variable, string value, string expected)
    {
        var (code, _, stderr) = await AugurProcess.RunWithAsync(new Dictionary<string, string> { [variable] = value }, "serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0");

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        if (variable.Contains("ApiKeys", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Models_load_and_unload_from_the_cli_need_the_admin_key()
    {
        TestModels.WriteModel(_repository, "a", TestModels.Identity(DataType.Fp32, -1, 2));
        TestModels.WriteModel(_repository, "b", TestModels.Identity(DataType.Fp32, -1, 2));
        var settings = Path.Combine(_repository, "settings.json");
        await File.WriteAllTextAsync(settings, $$$"""{"ModelControlMode": "explicit", "LoadModels": ["a"], "Security": {"InferenceApiKeys": ["{{{InferenceKey}}}"] } }""");
        // A shell that exports the client commands' AUGUR_API_KEY can still start the server: it is not a serve setting.
        var environment = new Dictionary<string, string> { ["AUGUR_Security__AdminApiKeys__0"] = AdminKey, ["AUGUR_API_KEY"] = AdminKey };
        using var server = AugurProcess.StartWith(environment, "serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--config", settings);
        var url = await server.WaitForListeningAsync();

        var refused = await AugurProcess.RunWithAsync(new Dictionary<string, string> { ["AUGUR_API_KEY"] = InferenceKey }, "models", "load", "--url", url, "--model", "b");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("403:", refused.Stderr, StringComparison.Ordinal);

        var admin = new Dictionary<string, string> { ["AUGUR_API_KEY"] = AdminKey };
        var load = await AugurProcess.RunWithAsync(admin, "models", "load", "--url", url, "--model", "b");
        Assert.True(load.ExitCode == 0, load.Stderr);
        var unload = await AugurProcess.RunWithAsync(admin, "models", "unload", "--url", url, "--model", "a");
        Assert.True(unload.ExitCode == 0, unload.Stderr);
        var index = await AugurProcess.RunWithAsync(admin, "models", "index", "--url", url);
        Assert.Equal(
            """[{"name":"a","state":"UNAVAILABLE","reason":"unloaded"},{"name":"b","version":"1","state":"READY","reason":""}]""",
            index.Stdout.Trim());
        Assert.DoesNotContain(AdminKey, server.Stdout + server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(InferenceKey, server.Stdout + server.Stderr, StringComparison.Ordinal);

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
