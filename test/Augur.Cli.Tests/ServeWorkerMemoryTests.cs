using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Augur.Tensors;
using Augur.Testing;
using Xunit.Abstractions;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve --memory-budget</c> with a model in a worker process: when the budget unloads it, its worker process
/// ends, its memory series leaves /metrics, and the memory of the server and its workers falls by about the worker's;
/// its next request loads it again in a new worker.
/// </summary>
/// <remarks>
/// <c>ranker</c> is a copy of the bundled sample with <c>"isolation": "process"</c> and one instance; the budget counts
/// it as its worker's resident memory once loaded. <c>local</c> is an in-process Identity model whose version folder
/// also holds a sparse file (no disk, no memory), so the budget, which counts an in-process model as its files, counts
/// it as <see cref="Budget"/> less <see cref="Room"/>: each of the two then fits the budget alone, and whenever one
/// loads the other is unloaded, whatever the worker's exact size, as long as it is more than <see cref="Room"/>.
/// </remarks>
public sealed class ServeWorkerMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long Budget = 1L << 30;
    private const long Room = 32L << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-worker-memory-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public async Task A_worker_model_unloaded_by_the_memory_budget_ends_its_worker_and_gives_its_memory_back_then_loads_again_in_a_new_worker()
    {
        WriteRepository();
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--memory-budget", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };

        // local first, so the server holds ONNX Runtime itself before anything is measured; ranker's load then unloads it.
        await InferLocalAsync(client);
        await InferRankerAsync(client);
        await AssertUnloadedAsync(client, "local");
        var worker = WorkerProcesses.SingleOf(server.Id);
        var workerStarted = WorkerProcesses.StartTime(worker)!.Value;
        var workerBytes = WorkerProcesses.ResidentBytes(worker);
        var loadedBytes = WorkerProcesses.TotalResidentBytes(server.Id);
        var series = ServerMetrics.Series(await ServerMetrics.ReadAsync(client), "augur_worker_memory_bytes{", "model=\"ranker\"");
        Assert.True(workerBytes > Room, $"the worker's {workerBytes} resident bytes must exceed the {Room} the budget leaves beside local, or loading local would not unload ranker");
        Assert.True(ServerMetrics.Value(series, "augur_worker_memory_bytes{", "instance=\"0\"") > 0, $"no augur_worker_memory_bytes series for ranker's worker: {string.Join(" | ", series)}");

        await InferLocalAsync(client);   // the budget unloads ranker to load local

        await AssertUnloadedAsync(client, "ranker");
        var polls = await WaitUntilGoneAsync(worker, workerStarted);
        Assert.Empty(WorkerProcesses.Of(server.Id));
        Assert.Empty(ServerMetrics.Series(await ServerMetrics.ReadAsync(client), "augur_worker_memory_bytes{", "model=\"ranker\""));
        var unloadedBytes = WorkerProcesses.TotalResidentBytes(server.Id);
        output.WriteLine($"worker {workerBytes >> 20} MiB, gone after {polls} polls; server and workers {loadedBytes >> 20} MiB with ranker loaded, {unloadedBytes >> 20} MiB after its unload");
        // All of the worker's memory leaves with it. The server may grow a little meanwhile (local's load, a few requests):
        // a quarter of the worker's size is left for that, tens of MiB, where a few MiB are seen.
        Assert.True(loadedBytes - unloadedBytes > workerBytes / 4 * 3, $"the server and its workers held {loadedBytes} bytes with ranker loaded (its worker {workerBytes}) and still {unloadedBytes} after ranker was unloaded");

        await InferRankerAsync(client);   // loads again, unloading local

        var restarted = WorkerProcesses.SingleOf(server.Id);
        Assert.True(restarted != worker || WorkerProcesses.StartTime(restarted) != workerStarted, "ranker came back on the worker that was ended");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/models/ranker/ready", UriKind.Relative))).StatusCode);
        Assert.NotEmpty(ServerMetrics.Series(await ServerMetrics.ReadAsync(client), "augur_worker_memory_bytes{", "model=\"ranker\""));
        await AssertUnloadedAsync(client, "local");
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    private void WriteRepository()
    {
        var ranker = Path.Combine(_repository, "ranker");
        Directory.CreateDirectory(Path.Combine(ranker, "1"));
        File.Copy(Path.Combine(RepositoryPaths.SampleModels, "ranker", "1", "model.onnx"), Path.Combine(ranker, "1", "model.onnx"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.SampleModels, "ranker", "config.json")))!.AsObject();
        config["isolation"] = "process";
        config["instance_count"] = 1;
        File.WriteAllText(Path.Combine(ranker, "config.json"), config.ToJsonString());

        TestModels.WriteModel(_repository, "local", TestModels.Identity(DataType.Fp32, -1, 3));
        using var reserve = new FileStream(Path.Combine(_repository, "local", "1", "reserve.bin"), FileMode.CreateNew);
        reserve.SetLength(Budget - Room);   // a hole: the length counts, no block is written
    }

    private static async Task InferLocalAsync(HttpClient client)
    {
        using var body = await InferAsync(client, "local", """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""");
        Assert.Equal("[1,2,3]", body.RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    private static async Task InferRankerAsync(HttpClient client)
    {
        var features = string.Join(",", Enumerable.Range(0, 256).Select(i => (i % 10 / 10.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var body = await InferAsync(client, "ranker", $$"""{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 256], "data": [{{features}}]}]}""");
        Assert.Equal("[1,1]", body.RootElement.GetProperty("outputs")[0].GetProperty("shape").GetRawText());
    }

    private static async Task<JsonDocument> InferAsync(HttpClient client, string model, string request)
    {
        using var content = new StringContent(request, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"/v2/models/{model}/infer", UriKind.Relative), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static async Task AssertUnloadedAsync(HttpClient client, string model)
    {
        using var ready = await client.GetAsync(new Uri($"/v2/models/{model}/ready", UriKind.Relative)).ConfigureAwait(false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal($$"""{"error":"model '{{model}}' is not ready: unloaded to stay within the memory budget: it loads again on its next request"}""", await ready.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// Polls (bounded) until the worker has exited and the server has reaped it. Unloading waits for the worker's exit,
    /// so this normally holds at the first look (0 polls); a zombie would mean the server never waited for its child.
    /// </summary>
    private static async Task<int> WaitUntilGoneAsync(int pid, long startTime)
    {
        var deadline = Stopwatch.StartNew();
        var polls = 0;
        while (!WorkerProcesses.IsGone(pid, startTime))
        {
            Assert.True(deadline.Elapsed < Timeout, $"worker {pid} is still there {Timeout.TotalSeconds} s after its model was unloaded (state {WorkerProcesses.State(pid)})");
            await Task.Delay(20).ConfigureAwait(false);
            polls++;
        }

        return polls;
    }
}
