using System.Diagnostics;
using System.Net;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve --global-thread-pool</c> and <c>--shared-arena</c>: the server-wide defaults for running every model's
/// sessions on one thread pool and one CPU arena, seen in the server's own threads (/proc/PID/status) and /metrics.
/// </summary>
public sealed class ServeSharedRuntimeTests : IDisposable
{
    private const int Models = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-runtime-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    /// <summary>
    /// One model is loaded at start (it creates the environment and its pools), then twenty more, one after another. At 3
    /// intra-op threads a session of its own starts 2 threads, so twenty such add 40; on the global pool they add none. The
    /// bounds leave room for the server's own threads (.NET's thread pool grows and shrinks by a few).
    /// </summary>
    [Theory]
    [InlineData(new string[0], "global", "shared")]
    [InlineData(new[] { "--global-thread-pool", "true", "--shared-arena", "false" }, "global", "own")]
    [InlineData(new[] { "--global-thread-pool", "false" }, "own", "shared")]
    [InlineData(new[] { "--global-thread-pool", "false", "--shared-arena", "false" }, "own", "own")]
    public async Task Twenty_more_models_add_no_thread_pools_on_the_global_pool_and_one_each_without(string[] option, string threadPool, string arena)
    {
        var fraud = SampleModels.BuildFraud();
        for (var i = 0; i <= Models; i++)
        {
            TestModels.WriteModel(_repository, Name(i), fraud);
        }

        using var server = AugurProcess.Start(
        [
            "serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", "--intra-op-threads", "3",
            "--model-control-mode", "explicit", "--load-model", Name(0), "--allow-admin-without-key", .. option,
        ]);
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()) };
        var before = Threads(server.Id);
        for (var i = 1; i <= Models; i++)
        {
            using var load = await client.PostAsync(new Uri($"/v2/repository/models/{Name(i)}/load", UriKind.Relative), null).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        }

        var added = Threads(server.Id) - before;
        if (threadPool == "global")
        {
            Assert.True(added < 10, $"{Models} models on the global pool added {added} threads");
        }
        else
        {
            Assert.True(added >= 30, $"{Models} models with pools of their own added only {added} threads");
        }

        var metrics = await ServerMetrics.ReadAsync(client).WaitAsync(Timeout);
        Assert.Equal(Models + 1, ServerMetrics.Value(metrics, "augur_onnxruntime_models{", $"arena=\"{arena}\",thread_pool=\"{threadPool}\""));
        Assert.Equal(Models + 1, ServerMetrics.Value(metrics, "augur_onnxruntime_models{", string.Empty));
        var wanted = threadPool == "global"
            ? $"Model {Name(1)} version 1: thread pool global ({Environment.ProcessorCount} intra-op and 1 inter-op thread(s), spinning off)"
            : $"Model {Name(1)} version 1: thread pool own (3 intra-op, 1 inter-op thread(s): global_thread_pool is false in config.json or by --global-thread-pool)";
        Assert.Contains(wanted + (arena == "shared" ? "; CPU arena shared" : "; CPU arena own (shared_arena is false in config.json or by --shared-arena)"), server.Stdout, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime environment created: global thread pools of", server.Stdout, StringComparison.Ordinal);
        await PromtoolAcceptsAsync(string.Join('\n', metrics));

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    private static string Name(int i) => $"fraud_{i:D2}";

    /// <summary>The threads of process <paramref name="pid"/> now (the Threads line of /proc/PID/status).</summary>
    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task PromtoolAcceptsAsync(string page)
    {
        var start = new ProcessStartInfo("/usr/bin/promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(page);
        promtool.StandardInput.Close();
        var problems = await promtool.StandardError.ReadToEndAsync().WaitAsync(Timeout) + await promtool.StandardOutput.ReadToEndAsync().WaitAsync(Timeout);
        await promtool.WaitForExitAsync().WaitAsync(Timeout);
        Assert.True(promtool.ExitCode == 0, problems);
    }
}
