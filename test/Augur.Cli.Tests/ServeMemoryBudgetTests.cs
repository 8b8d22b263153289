using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve --memory-budget</c> as a child process: models load on their first request; bad values are refused in one line.</summary>
public sealed class ServeMemoryBudgetTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-budget-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public async Task Serve_with_a_budget_is_ready_with_no_model_loaded_and_loads_a_model_on_its_first_request()
    {
        TestModels.WriteModel(_repository, "echo", TestModels.Identity(DataType.Fp32, -1, 3));
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--memory-budget", "1048576");
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative))).StatusCode);
        using (var notLoaded = await client.GetAsync(new Uri("/v2/models/echo/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notLoaded.StatusCode);
            Assert.Equal("""{"error":"model 'echo' is not ready: not loaded: the memory budget loads it on its first request"}""", await notLoaded.Content.ReadAsStringAsync());
        }

        using var content = new StringContent("""{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/v2/models/echo/infer", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("[1,2,3]", json.RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/models/echo/ready", UriKind.Relative))).StatusCode);
        var metrics = (await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        Assert.Contains(metrics, l => l.StartsWith("augur_memory_budget_bytes{", StringComparison.Ordinal) && l.EndsWith("} 1048576", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith("augur_model_loads_on_demand_total{", StringComparison.Ordinal) && l.EndsWith("model=\"echo\"} 1", StringComparison.Ordinal));
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Theory]
    [InlineData("--memory-budget", "-1", "augur serve: MemoryBudget (--memory-budget) -1 must be 0 (no budget) or more bytes")]
    [InlineData("--memory-budget", "2GiB", "augur serve: --memory-budget '2GiB': expected a whole number; see augur serve --help")]
    public async Task A_bad_memory_budget_stops_serve_with_one_line_naming_it(string option, string value, string expected)
    {
        var (code, _, stderr) = await AugurProcess.RunAsync("serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0", option, value);

        Assert.Equal(2, code);
        Assert.Equal(expected, stderr.Trim());
    }

    [Fact]
    public async Task The_memory_budget_can_come_from_an_AUGUR_variable_and_is_checked_there()
    {
        var (code, _, stderr) = await AugurProcess.RunWithAsync(new Dictionary<string, string> { ["AUGUR_MemoryBudget"] = "lots" }, "serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0");

        Assert.Equal(2, code);
        Assert.Equal("augur serve: MemoryBudget (--memory-budget) from the environment variable AUGUR_MemoryBudget: 'lots' is not a whole number", stderr.Trim());
    }
}
