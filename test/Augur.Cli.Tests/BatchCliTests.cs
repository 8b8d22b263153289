using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Batch.Storage;
using Microsoft.Data.Sqlite;

namespace Augur.Cli.Tests;

/// <summary><c>augur batch</c>, <c>augur batch status</c>, <c>augur predictions get</c> and the serve endpoint, as child processes.</summary>
public sealed class BatchCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("augur-batch-cli-").FullName;

    private string File(string name) => Path.Combine(_folder, name);

    private string WriteCsv(int rows, params int[] corrupt)
    {
        var text = new StringBuilder("id,f0,f1,f2,f3,f4,f5,f6,f7\n");
        for (var r = 0; r < rows; r++)
        {
            var values = Enumerable.Range(0, 8).Select(i => (((r * 31) + (i * 17)) % 100 / 100f).ToString(CultureInfo.InvariantCulture)).ToArray();
            if (corrupt.Contains(r))
            {
                values[3] = "oops";
            }

            text.Append(CultureInfo.InvariantCulture, $"k{r},{string.Join(',', values)}\n");
        }

        var path = File($"in-{rows}.csv");
        System.IO.File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public async Task Kill_9_mid_job_then_the_same_command_resumes_with_no_missing_and_no_duplicate_rows()
    {
        const int rows = 20_000;
        var output = File("out.db");
        string[] command = ["batch", "--model", "fraud", "--input", WriteCsv(rows), "--output", output, "--map", "features=f0..f7", "--key-column", "id",
            "--job-id", "killed", "--chunk-size", "100", "--concurrency", "1"];
        using (var first = AugurProcess.Start(command))
        {
            // Wait for some chunks to be committed, then kill without warning, as the OOM killer or a node loss would.
            var deadline = Stopwatch.StartNew();
            while (await CommittedAsync(output, "killed") < 500)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no chunk committed within 60 s: {first.Stderr}");
                await Task.Delay(10); // polling another process's database: there is no event to wait on
            }

            first.Kill();
            Assert.NotEqual(0, await first.WaitForExitAsync());
        }

        var atKill = await CommittedAsync(output, "killed");
        Assert.True(atKill < rows, "the job finished before it was killed");

        var (code, stdout, stderr) = await AugurProcess.RunAsync(command);

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("job killed shard 0/1: completed", stdout, StringComparison.Ordinal);
        Assert.Contains($"rows written {rows}, bad rows 0, this run {rows - atKill}", stdout, StringComparison.Ordinal);
        Assert.Contains($"skipped (done before) {atKill}", stdout, StringComparison.Ordinal);
        await using var connection = new SqliteConnection($"Data Source={output};Pooling=False");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COUNT(DISTINCT row_id), MIN(row_id), MAX(row_id) FROM augur_predictions WHERE job_id = 'killed'";
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((rows, rows, 0L, rows - 1L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
    }

    [Fact]
    public async Task Sigterm_commits_the_chunks_in_flight_and_exits_130()
    {
        var output = File("term.db");
        using var job = AugurProcess.Start("batch", "--model", "fraud", "--input", WriteCsv(20_000), "--output", output, "--map", "features=f0..f7",
            "--job-id", "term", "--chunk-size", "100", "--concurrency", "1");
        var deadline = Stopwatch.StartNew();
        while (await CommittedAsync(output, "term") < 300)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no chunk committed within 60 s: {job.Stderr}");
            await Task.Delay(10); // polling another process's database: there is no event to wait on
        }

        job.Terminate();

        Assert.Equal(130, await job.WaitForExitAsync());
        Assert.Contains("job term shard 0/1: cancelled", job.Stdout, StringComparison.Ordinal);
        var committed = await CommittedAsync(output, "term");
        Assert.True(committed is >= 300 and < 20_000 && committed % 100 == 0, $"{committed} rows");
        await using var store = await PredictionStore.OpenAsync(StoreLocation.TryParse(output, out var location, out _) ? location : throw new InvalidOperationException());
        Assert.Equal("cancelled", Assert.Single(await store.GetJobAsync("term")).State);
    }

    [Fact]
    public async Task Exit_codes_status_and_predictions_get()
    {
        var output = File("codes.db");
        var input = WriteCsv(50, 7);
        string[] job = ["batch", "--model", "fraud", "--input", input, "--output", output, "--map", "features=f0..f7", "--key-column", "id", "--job-id", "codes"];

        var bad = await AugurProcess.RunAsync([.. job, "--shard", "3/3"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--shard '3/3' is not i/N", bad.Stderr, StringComparison.Ordinal);

        var unknown = await AugurProcess.RunAsync([.. job[..2], "nope", .. job[3..]]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("model 'nope': unknown model 'nope'", unknown.Stderr, StringComparison.Ordinal);

        var tooMany = await AugurProcess.RunAsync([.. job, "--max-errors", "0"]);
        Assert.Equal(4, tooMany.ExitCode);

        var done = await AugurProcess.RunAsync([.. job, "--max-errors", "5"]);
        Assert.Equal(3, done.ExitCode);
        Assert.Contains("rows written 49, bad rows 1", done.Stdout, StringComparison.Ordinal);

        var status = await AugurProcess.RunAsync("batch", "status", "codes", "--output", output);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("shard 0/1: completed_with_errors, rows written 49, bad rows 1", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("bad row 7 (key k7): input 'features': column 'f3' ('oops') is not a number", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await AugurProcess.RunAsync("batch", "status", "nope", "--output", output)).ExitCode);

        var get = await AugurProcess.RunAsync("predictions", "get", "--output", output, "--model", "fraud", "--key", "k9");
        Assert.Equal(0, get.ExitCode);
        using var prediction = JsonDocument.Parse(get.Stdout);
        Assert.Equal(("codes", 9), (prediction.RootElement.GetProperty("job_id").GetString(), prediction.RootElement.GetProperty("row_id").GetInt32()));
        Assert.InRange(prediction.RootElement.GetProperty("outputs").GetProperty("probability")[0].GetSingle(), 0f, 1f);
        var missing = await AugurProcess.RunAsync("predictions", "get", "--output", output, "--model", "fraud", "--key", "k7");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no prediction of model 'fraud' for key 'k7'", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_prediction_store_answers_the_predictions_route()
    {
        var output = File("serve.db");
        var (code, _, stderr) = await AugurProcess.RunAsync("batch", "--model", "fraud", "--input", WriteCsv(20), "--output", output, "--map", "features=f0..f7", "--key-column", "id", "--job-id", "served");
        Assert.True(code == 0, stderr);
        using var server = AugurProcess.Start("serve", "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--prediction-store", output);
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = TimeSpan.FromSeconds(30) };

        var found = await client.GetAsync("/v2/models/fraud/predictions/k3");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        using (var body = JsonDocument.Parse(await found.Content.ReadAsStringAsync()))
        {
            Assert.Equal(("k3", "served", "1"), (body.RootElement.GetProperty("key").GetString(), body.RootElement.GetProperty("job_id").GetString(), body.RootElement.GetProperty("model_version").GetString()));
        }

        var unknown = await client.GetAsync("/v2/models/fraud/predictions/k999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("""{"error":"no stored prediction of model 'fraud' for key 'k999'"}""", await unknown.Content.ReadAsStringAsync());
        var control = await client.GetAsync("/v2/models/fraud/predictions?key=k%01");
        Assert.Equal(HttpStatusCode.BadRequest, control.StatusCode);
        Assert.Equal("""{"error":"key: the key contains control characters"}""", await control.Content.ReadAsStringAsync());
        var tooLong = await client.GetAsync($"/v2/models/fraud/predictions/{new string('k', 1025)}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var badModel = await client.GetAsync("/v2/models/..fraud/predictions/k3");
        Assert.Equal(HttpStatusCode.BadRequest, badModel.StatusCode);
    }

    private static async Task<long> CommittedAsync(string output, string job)
    {
        if (!System.IO.File.Exists(output))
        {
            return 0;
        }

        try
        {
            await using var store = await PredictionStore.OpenAsync(StoreLocation.TryParse(output, out var location, out _) ? location : throw new InvalidOperationException());
            return (await store.GetJobAsync(job)).Sum(s => s.RowsWritten + s.RowsFailed);
        }
        catch (SqliteException)
        {
            return 0; // the job is still creating its tables
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
