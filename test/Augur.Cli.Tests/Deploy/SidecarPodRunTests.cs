using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Cli.Commands;
using Augur.Testing;

namespace Augur.Cli.Tests.Deploy;

/// <summary>
/// The rendered pod run on this machine, without a cluster: its two containers' command lines (the images' entry
/// points and the pod's args) with the pod's /models and /sockets moved to a temporary folder, the ConfigMap's
/// config.json where its subPath mount puts it. The server must reach the sidecar and serve fraud through it.
/// </summary>
public sealed class SidecarPodRunTests : IDisposable
{
    private const string Request = """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [0.3, 0, 0, 0.5, 1, 0, 0.5, 0.5]}]}""";
    private static readonly string[] PodFolders = ["/models", "/sockets"];
    private readonly string _root = Directory.CreateTempSubdirectory("augur-pod-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_pods_containers_run_here_and_the_server_answers_fraud_through_the_worker_sidecar()
    {
        var pod = await SidecarPod.RenderAsync();
        DockerfileTests.CopyDirectory(Path.Combine(RepositoryPaths.SampleModels, "fraud"), Here("/models/fraud"));
        Directory.CreateDirectory(Here("/sockets"));
        var config = (string)pod.ConfigMap["data"]!["config.json"]!;
        File.WriteAllText(Here("/models/fraud/config.json"), config.Replace("\"unix:/sockets/", $"\"unix:{Here("/sockets")}/", StringComparison.Ordinal));
        var socket = Here(SidecarPod.Option(pod.Worker, "--socket"));

        using var worker = AugurProcess.Start([WorkerCommand.Name, .. SidecarPod.CommandLine(pod.Worker, DeployFiles.Worker).Select(Here)]);
        Assert.Equal($"unix:{socket}", await worker.WaitForLineAsync(WorkerCommand.ReadyLine));
        // Only the ports change: a test binds loopback and lets the OS pick them.
        using var server = AugurProcess.Start([ServeCommand.Name, .. SidecarPod.CommandLine(pod.Server, DeployFiles.Server).Select(Here),
            "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0"]);
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitForListeningAsync()), Timeout = TimeSpan.FromSeconds(60) };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative))).StatusCode);
        var (status, body) = await InferAsync(client);
        Assert.True(status == HttpStatusCode.OK, body);
        using (var response = JsonDocument.Parse(body))
        {
            var outputs = response.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString());
            Assert.Equal(["probability", "label"], outputs);
        }

        // It is the sidecar that answers: once it has stopped, fraud fails with its endpoint in the reason.
        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync());
        (status, body) = await InferAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("worker 0 of model 'fraud' version 1", body, StringComparison.Ordinal);
        Assert.Contains($"at unix:{socket}", body, StringComparison.Ordinal);

        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    // A path of the pod (/models/..., /sockets/...) as it is laid out here; anything else as it is.
    private string Here(string path) =>
        PodFolders.Any(f => path == f || path.StartsWith(f + "/", StringComparison.Ordinal)) ? _root + path : path;

    private static async Task<(HttpStatusCode Status, string Body)> InferAsync(HttpClient client)
    {
        using var content = new StringContent(Request, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/v2/models/fraud/infer", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
