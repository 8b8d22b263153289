using System.Text;
using System.Text.Json;
using Augur.Streams.Tests;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve</c>'s response cache options, as a child process: a shared Redis, and settings that are refused.</summary>
public sealed class ServeCacheCliTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly RedisServer _redis = new();
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-cache-").FullName;

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }

    [Fact]
    public async Task Serve_with_a_shared_redis_answers_the_second_identical_request_from_the_cache()
    {
        TestModels.WriteModel(_repository, "echo", TestModels.Identity(DataType.Fp32, -1, 3));
        await File.WriteAllTextAsync(Path.Combine(_repository, "echo", "config.json"), """{"response_cache": {"enable": true, "ttl_seconds": 60}}""");
        using var server = AugurProcess.Start(
            "serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
            "--cache", _redis.Configuration, "--cache-size", "1048576", "--cache-timeout", "20000");
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };
        // Redis is up: the generous --cache-timeout keeps a slow first connection from making the answer skip Redis.
        const string body = """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""";

        var first = await PostAsync(client, body);
        var second = await PostAsync(client, body);

        Assert.Equal("model", Source(first));
        Assert.Equal("cache", Source(second));
        Assert.Equal(first.RootElement.GetProperty("outputs").GetRawText(), second.RootElement.GetProperty("outputs").GetRawText());
        // The model's answer also went to Redis (written in the background, so looked for until it is there).
        using var waiting = new CancellationTokenSource(Timeout);
        while (!_redis.Server.Keys(pattern: "augur:response:echo:1:*").Any())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), waiting.Token);
        }

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Theory]
    [InlineData("--cache", "redis://127.0.0.1:port", "augur serve: Cache (--cache) 'redis://127.0.0.1:port' is not a Redis URI (redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock)")]
    [InlineData("--cache-size", "-1", "augur serve: CacheSize (--cache-size) -1 must be 0 (no in-process cache) or more bytes")]
    [InlineData("--cache-timeout", "0", "augur serve: CacheTimeoutMilliseconds (--cache-timeout) 0 must be from 1 to 60000")]
    public async Task A_bad_cache_option_stops_serve_with_one_line_naming_it(string option, string value, string expected)
    {
        var (code, _, stderr) = await AugurProcess.RunAsync("serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0", option, value);

        Assert.Equal(2, code);
        Assert.StartsWith(expected, stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cache_size_can_come_from_an_AUGUR_variable_and_is_checked_there()
    {
        var (code, _, stderr) = await AugurProcess.RunWithAsync(new Dictionary<string, string> { ["AUGUR_CacheSize"] = "lots" }, "serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0");

        Assert.Equal(2, code);
        Assert.Equal("augur serve: CacheSize (--cache-size) from the environment variable AUGUR_CacheSize: 'lots' is not a whole number", stderr.Trim());
    }

    private static async Task<JsonDocument> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/v2/models/echo/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text);
    }

    private static string? Source(JsonDocument response) => response.RootElement.GetProperty("parameters").GetProperty("prediction_source").GetString();
}
