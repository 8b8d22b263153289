using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve</c> with a model in a worker process (<c>"isolation": "process"</c>), its real worker stopped and
/// killed with signals: the batch in flight fails with 503 and how the worker ended, the worker is restarted, another
/// model never sees an error, and readiness is false while no worker is up. Every wait is for a state the test made.
/// </summary>
public sealed class ServeWorkerCrashTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Request = """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""";
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-crash-").FullName;
    // The workers a test stopped, with their start times: at the end, those still running are killed. A pid the kernel
    // reused since (the worker was killed and another process got its number) is left alone.
    private readonly List<(int Pid, long? StartTime)> _stopped = [];

    public void Dispose()
    {
        foreach (var (pid, _) in _stopped.Where(w => w.StartTime is { } start && !WorkerProcesses.IsGone(w.Pid, start)))
        {
            Signal(pid, "KILL", mustExist: false);
        }

        Directory.Delete(_repository, recursive: true);
    }

    private void WriteModels(string isolatedConfig)
    {
        TestModels.WriteModel(_repository, "isolated", TestModels.Identity(DataType.Fp32, -1, 3));
        File.WriteAllText(Path.Combine(_repository, "isolated", "config.json"), isolatedConfig);
        TestModels.WriteModel(_repository, "local", TestModels.Identity(DataType.Fp32, -1, 3));
    }

    private AugurProcess Serve() => AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");

    [Fact]
    public async Task A_killed_worker_fails_only_its_batch_in_flight_with_the_reason_and_is_restarted_while_another_model_is_untouched()
    {
        // A long restart wait: requests sent while the worker restarts wait for it however slow the machine is.
        WriteModels("""{"isolation": "process", "max_batch_size": 8, "backend_settings": {"worker": {"restart_wait_ms": 60000}}}""");
        using var server = Serve();
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };
        Assert.Equal(HttpStatusCode.OK, (await InferAsync(client, "isolated")).Status);
        var worker = WorkerProcesses.SingleOf(server.Id);

        Signal(worker, "STOP");
        var inFlight = InferAsync(client, "isolated");
        await WaitForMetricAsync(client, "augur_instance_busy{", "model=\"isolated\"", 1);   // its batch is on the stopped worker
        var local = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => InferAsync(client, "local")));
        Signal(worker, "KILL");
        var (status, body) = await inFlight.WaitAsync(Timeout);
        var afterKill = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => InferAsync(client, "isolated"))).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains($"worker 0 of model 'isolated' version 1 failed during the batch: the worker (pid {worker}) was killed by signal 9 (SIGKILL", body, StringComparison.Ordinal);
        Assert.All(local, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(afterKill, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.NotEqual(worker, WorkerProcesses.SingleOf(server.Id));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/models/isolated/ready", UriKind.Relative))).StatusCode);
        var metrics = await ServerMetrics.ReadAsync(client);
        Assert.Equal(1, ServerMetrics.Value(metrics, "augur_worker_restarts_total{", "model=\"isolated\""));
        Assert.Equal(1, ServerMetrics.Value(metrics, "augur_worker_failures_total{", "cause=\"exit\""));
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task While_its_worker_cannot_start_the_model_is_not_ready_and_fails_at_once_with_the_reason_then_recovers()
    {
        WriteModels("""{"isolation": "process", "backend_settings": {"worker": {"max_restart_delay_ms": 500}}}""");
        using var server = Serve();
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };
        var worker = WorkerProcesses.SingleOf(server.Id);
        var model = Path.Combine(_repository, "isolated", "1", "model.onnx");
        File.Move(model, model + ".away");   // the server does not watch the repository by default: only restarts read it

        Signal(worker, "KILL");
        await WaitForMetricAsync(client, "augur_worker_restarts_total{", "model=\"isolated\"", 0, failedAttempts: true);
        using (var ready = await client.GetAsync(new Uri("/v2/models/isolated/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("model 'isolated' version 1 is not ready: worker 0 of model 'isolated' version 1 is down: ", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var down = await InferAsync(client, "isolated").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Contains("worker 0 of model 'isolated' version 1 is down: ", down.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await InferAsync(client, "local")).Status);

        File.Move(model + ".away", model);
        await WaitForMetricAsync(client, "augur_worker_restarts_total{", "model=\"isolated\"", 1);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/models/isolated/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await InferAsync(client, "isolated")).Status);
    }

    [Fact]
    public async Task A_worker_that_stops_answering_is_killed_after_the_call_timeout_and_replaced()
    {
        WriteModels("""{"isolation": "process", "backend_settings": {"worker": {"call_timeout_ms": 3000}}}""");
        using var server = Serve();
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = Timeout };
        Assert.Equal(HttpStatusCode.OK, (await InferAsync(client, "isolated")).Status);
        var worker = WorkerProcesses.SingleOf(server.Id);

        Signal(worker, "STOP");
        var (status, body) = await InferAsync(client, "isolated").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("worker 0 of model 'isolated' version 1 failed during the batch: did not answer a batch within 3000 ms; it was killed", body, StringComparison.Ordinal);
        await WaitForMetricAsync(client, "augur_worker_restarts_total{", "model=\"isolated\"", 1);
        Assert.Equal(HttpStatusCode.OK, (await InferAsync(client, "isolated")).Status);
        Assert.Equal(1, ServerMetrics.Value(await ServerMetrics.ReadAsync(client), "augur_worker_failures_total{", "cause=\"hung\""));
        Assert.NotEqual(worker, WorkerProcesses.SingleOf(server.Id));
    }

    private static async Task<(HttpStatusCode Status, string Body)> InferAsync(HttpClient client, string model)
    {
        using var content = new StringContent(Request, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"/v2/models/{model}/infer", UriKind.Relative), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal("[1,2,3]", json.RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText());
        }

        return (response.StatusCode, body);
    }

    private void Signal(int pid, string signal, bool mustExist = true)
    {
        if (signal == "STOP")
        {
            _stopped.Add((pid, WorkerProcesses.StartTime(pid)));
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        Assert.True(kill.WaitForExit(Timeout), "kill did not return");
        Assert.True(!mustExist || kill.ExitCode == 0, $"kill -{signal} {pid} failed: {kill.StandardError.ReadToEnd()}");
        if (signal == "STOP")
        {
            // Every thread of the worker has stopped, so none can still answer a batch.
            AugurProcess.WaitUntilStoppedAsync(pid).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Polls /metrics (bounded) until the series has <paramref name="value"/>; with <paramref name="failedAttempts"/>,
    /// until the server's log names a failed restart and the series still has that value.
    /// </summary>
    private static async Task WaitForMetricAsync(HttpClient client, string prefix, string label, double value, bool failedAttempts = false)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Timeout)
        {
            var metrics = await ServerMetrics.ReadAsync(client).ConfigureAwait(false);
            if (ServerMetrics.Value(metrics, prefix, label) == value && (!failedAttempts || ServerMetrics.Value(metrics, "augur_worker_failures_total{", label) >= 1))
            {
                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        Assert.Fail($"{prefix}{label} did not reach {value} within {Timeout.TotalSeconds} s");
    }
}
