using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Streams.Tests;
using Augur.Testing;
using Microsoft.Data.Sqlite;

namespace Augur.Cli.Tests;

/// <summary>
/// Hybrid serving end to end, as child processes: <c>augur batch</c> fills a store, <c>augur predictions publish</c>
/// copies the job to Redis, and <c>augur serve</c> over a repository whose config.json names the store answers keyed
/// requests from it and the others with the model.
/// </summary>
public sealed class PrecomputedCliTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("augur-precomputed-cli-").FullName;

    // The features of row k3 as BatchTestData writes them, and other features to send with its key.
    private static readonly string Row3 = BatchTestData.Rows(3, 4).Split(',', 2)[1].Trim();
    private const string Other = "0.9,0.9,0.9,0.9,0.9,0.9,0.9,0.9";

    [Fact]
    public async Task A_batch_job_in_the_model_folder_answers_keyed_requests_of_augur_serve()
    {
        var repository = Repository("""{"precomputed": {"source": "predictions.db", "max_age_seconds": 86400}}""");
        var store = Path.Combine(repository, "fraud", "predictions.db");
        await RunBatchAsync(repository, store, "nightly");

        using var server = AugurProcess.Start("serve", "--model-repository", repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = TimeSpan.FromSeconds(30) };

        var keyed = await InferAsync(client, Other, "\"k3\"");
        var unkeyed = await InferAsync(client, Row3, null);
        var unknown = await InferAsync(client, Row3, "\"k999\"");

        Assert.Equal("precomputed", keyed.Source);
        Assert.Equal(await StoredOutputsAsync(store, "k3"), keyed.Outputs);
        Assert.Equal(("model", keyed.Outputs), (unkeyed.Source, unkeyed.Outputs)); // the model agrees with its own batch job
        Assert.Equal(("model", keyed.Outputs), (unknown.Source, unknown.Outputs));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("augur_precomputed_lookups_total{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_published_to_redis_answers_augur_serve_with_a_redis_source_and_publishing_again_writes_nothing()
    {
        var socket = "unix://" + redis.SocketPath;
        var repository = Repository($$$"""{"precomputed": {"source": "{{{socket}}}", "max_age_seconds": 86400}}""");
        var store = Path.Combine(_folder, "jobs.db");
        await RunBatchAsync(repository, store, "for-redis");

        var first = await AugurProcess.RunAsync("predictions", "publish", "--output", store, "--job", "for-redis", "--to", socket);
        var again = await AugurProcess.RunAsync("predictions", "publish", "--output", store, "--job", "for-redis", "--to", socket);
        var unknownJob = await AugurProcess.RunAsync("predictions", "publish", "--output", store, "--job", "nope", "--to", socket);
        var badTarget = await AugurProcess.RunAsync("predictions", "publish", "--output", store, "--job", "for-redis", "--to", "redis://");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"Published job 'for-redis' to {socket}: 20 predictions, 20 written, 0 already there or newer.", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("20 predictions, 0 written, 20 already there or newer.", again.Stdout, StringComparison.Ordinal);
        Assert.Equal((2, "--job: the store has no job 'nope' (see `augur batch status`)"), (unknownJob.ExitCode, unknownJob.Stderr.Trim()));
        Assert.Equal((2, "--to: 'redis://' names no host (redis://host:port)"), (badTarget.ExitCode, badTarget.Stderr.Trim()));

        using var server = AugurProcess.Start("serve", "--model-repository", repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--prediction-store", socket);
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = TimeSpan.FromSeconds(30) };
        var keyed = await InferAsync(client, Other, "\"k3\"");
        var route = await client.GetAsync("/v2/models/fraud/predictions/k3");

        Assert.Equal(("precomputed", await StoredOutputsAsync(store, "k3")), (keyed.Source, keyed.Outputs));
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        using var body = JsonDocument.Parse(await route.Content.ReadAsStringAsync());
        Assert.Equal(("for-redis", 3), (body.RootElement.GetProperty("job_id").GetString(), body.RootElement.GetProperty("row_id").GetInt32()));
    }

    [Fact]
    public async Task A_source_the_stores_do_not_know_fails_the_model_with_the_setting_named()
    {
        var repository = Repository("""{"precomputed": {"source": "ftp://host/predictions", "max_age_seconds": 60}}""");
        using var server = AugurProcess.Start("serve", "--model-repository", repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = TimeSpan.FromSeconds(30) };

        var ready = await client.GetAsync("/v2/models/fraud/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("precomputed.source 'ftp://host/predictions': only SQLite files, postgres://, redis:// and unix:// (Redis) URIs are supported", server.Stdout, StringComparison.Ordinal);
    }

    private string Repository(string config)
    {
        var repository = Path.Combine(_folder, $"repo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(repository, "fraud", "1"));
        File.Copy(Path.Combine(RepositoryPaths.SampleModels, "fraud", "1", "model.onnx"), Path.Combine(repository, "fraud", "1", "model.onnx"));
        File.WriteAllText(Path.Combine(repository, "fraud", "config.json"), config);
        return repository;
    }

    private async Task RunBatchAsync(string repository, string store, string job)
    {
        var input = Path.Combine(_folder, $"{job}.csv");
        File.WriteAllText(input, BatchTestData.Header + BatchTestData.Rows(0, 20));
        var (code, stdout, stderr) = await AugurProcess.RunAsync("batch", "--model-repository", repository, "--model", "fraud", "--input", input, "--output", store,
            "--map", "features=f0..f7", "--key-column", "id", "--job-id", job);
        Assert.True(code == 0, stderr + stdout);
    }

    private static async Task<(string? Source, string Outputs)> InferAsync(HttpClient client, string features, string? key)
    {
        var parameters = key is null ? string.Empty : $$""", "parameters": {"prediction_key": {{key}}}""";
        var body = $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [{{features}}]}]{{parameters}}}""";
        using var response = await client.PostAsync("/v2/models/fraud/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        var outputs = "{" + string.Join(',', json.RootElement.GetProperty("outputs").EnumerateArray().Select(o => $"\"{o.GetProperty("name").GetString()}\":{o.GetProperty("data").GetRawText()}")) + "}";
        return (json.RootElement.TryGetProperty("parameters", out var p) ? p.GetProperty("prediction_source").GetString() : null, outputs);
    }

    private static async Task<string> StoredOutputsAsync(string store, string key)
    {
        await using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT outputs FROM augur_predictions WHERE row_key = $key";
        command.Parameters.AddWithValue("$key", key);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
