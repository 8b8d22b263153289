using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Augur.OnnxRuntime.Onnx;
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

    /// <summary>
    /// <c>y = ReduceSum(MatMul^6(x * W))</c> with W 768×768: about 2.7 billion multiply-adds per request, so requests
    /// sent together queue behind one instance for long enough to be in flight when SIGTERM arrives.
    /// </summary>
    private static byte[] SlowModel()
    {
        const int n = 1024;
        var builder = new OnnxGraphBuilder("slow").AddInput("x", DataType.Fp32, 1, 1).AddOutput("y", DataType.Fp32, 1, 1);
        var w = builder.AddInitializer("w", Enumerable.Repeat(1f / n, n * n).ToArray(), n, n);
        builder.AddNode("Mul", ["x", w], ["h0"]);
        for (var i = 1; i <= 16; i++)
        {
            builder.AddNode("MatMul", [$"h{i - 1}", w], [$"h{i}"]);
        }

        return builder.AddNode("ReduceSum", ["h16"], ["y"], OnnxAttribute.Int("keepdims", 1)).ToBytes();
    }

    [GeneratedRegex("""augur_queue_depth\{[^}]*model="slow"[^}]*\} (\d+)""")]
    private static partial Regex QueueDepth();

    [Fact]
    public async Task On_SIGTERM_queued_and_running_requests_complete_and_the_process_exits_0()
    {
        TestModels.WriteModel(_repository, "slow", SlowModel());
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--drain-timeout", "50");
        var url = await server.WaitForListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout };

        const int requests = 6;
        var inFlight = Enumerable.Range(0, requests).Select(i => client.PostAsync("/v2/models/slow/infer", new StringContent(
            $$"""{"id": "r{{i}}", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 1], "data": [1]}]}""", Encoding.UTF8, "application/json"))).ToArray();

        // SIGTERM goes out once the server holds the requests: one running and the rest in the model's queue.
        using var waiting = new CancellationTokenSource(Timeout);
        var metrics = string.Empty;
        while (!inFlight.Any(t => t.IsCompleted))
        {
            metrics = await client.GetStringAsync("/metrics", waiting.Token);
            var match = QueueDepth().Match(metrics);
            if (match.Success && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= 2)
            {
                break;
            }
        }

        server.Terminate();
        var pendingAtSigterm = inFlight.Count(t => !t.IsCompleted);
        var responses = await Task.WhenAll(inFlight).WaitAsync(Timeout);

        Assert.True(pendingAtSigterm >= 3, $"only {pendingAtSigterm} request(s) were in flight at SIGTERM; metrics: {metrics}");
        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(0, await server.WaitForExitAsync());
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
        var environment = new Dictionary<string, string> { ["AUGUR_Security__AdminApiKeys__0"] = AdminKey };
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
