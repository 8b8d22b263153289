using System.Net;
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
        var path = File($"in-{rows}.csv");
        System.IO.File.WriteAllText(path, BatchTestData.Header + BatchTestData.Rows(0, rows, corrupt));
        return path;
    }

    [Fact]
    public async Task Kill_9_mid_job_then_the_same_command_resumes_with_no_missing_and_no_duplicate_rows()
    {
        const int rows = 2000, chunk = 100, held = 5 * chunk;
        var output = File("out.db");
        using var input = FifoInput.Create(File("in.csv"));
        // A short lease: the killed run cannot release it, so the rerun waits for it to expire and takes the shard over.
        string[] command = ["batch", "--model", "fraud", "--input", input.Path, "--output", output, "--map", "features=f0..f7", "--key-column", "id",
            "--job-id", "killed", "--chunk-size", $"{chunk}", "--concurrency", "1", "--lease-timeout", "1s"];
        // Five chunks and a few rows of the sixth: the job commits the five, then waits for the rest of the input.
        await input.WriteAsync(BatchTestData.Header + BatchTestData.Rows(0, held + 10));
        string holder;
        using (var first = AugurProcess.Start(command))
        {
            holder = BatchTestData.Holder(first);
            await BatchTestData.WaitForCommittedAsync(output, "killed", held, first);

            first.Kill(); // without warning, as the OOM killer or a node loss would
            Assert.NotEqual(0, await first.WaitForExitAsync());
        }

        Assert.Equal(held, await BatchTestData.CommittedAsync(output, "killed"));
        Assert.Equal((held, held, 0L, held - 1L), await BatchTestData.StoredAsync(output, "killed"));
        input.ReplaceWithFile(BatchTestData.Header + BatchTestData.Rows(0, rows)); // the same path, so the same job

        var (code, stdout, stderr) = await BatchTestData.RunWhileHeldAsync(command);

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("job killed shard 0/1: completed", stdout, StringComparison.Ordinal);
        Assert.Contains($"took the shard over from a run that stopped beating: {holder}, last beat ", stdout, StringComparison.Ordinal);
        Assert.Contains($"rows written {rows}, bad rows 0, this run {rows - held} in", stdout, StringComparison.Ordinal);
        Assert.Contains($"skipped (done before) {held}\n", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal((rows, rows, 0L, rows - 1L), await BatchTestData.StoredAsync(output, "killed"));
    }

    [Fact]
    public async Task Sigterm_commits_the_chunks_in_flight_and_exits_130()
    {
        const int chunk = 100, held = 3 * chunk;
        var output = File("term.db");
        using var input = FifoInput.Create(File("in.csv"));
        await input.WriteAsync(BatchTestData.Header + BatchTestData.Rows(0, held + 10));
        using var job = AugurProcess.Start("batch", "--model", "fraud", "--input", input.Path, "--output", output, "--map", "features=f0..f7",
            "--job-id", "term", "--chunk-size", $"{chunk}", "--concurrency", "1");
        await BatchTestData.WaitForCommittedAsync(output, "term", held, job);

        // The job is blocked reading the pipe, mid-chunk: the stop must not wait for input that never comes.
        job.Terminate();

        Assert.Equal(130, await job.WaitForExitAsync());
        Assert.Contains("job term shard 0/1: cancelled", job.Stdout, StringComparison.Ordinal);
        Assert.Contains($"rows written {held}, bad rows 0, this run {held} in", job.Stdout, StringComparison.Ordinal);
        // Exactly the three committed chunks: every row is either stored or was never started.
        Assert.Equal((held, held, 0L, held - 1L), await BatchTestData.StoredAsync(output, "term"));
        Assert.Equal(0, await BatchTestData.ErrorsAsync(output, "term"));
        await using var store = await PredictionStore.OpenAsync(StoreLocation.TryParse(output, out var location, out _) ? location : throw new InvalidOperationException());
        var shard = Assert.Single(await store.GetJobAsync("term"));
        Assert.Equal(("cancelled", held, 3L), (shard.State, shard.RowsWritten, shard.ChunksCommitted));
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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
