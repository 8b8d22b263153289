using System.Text.Json.Nodes;
using Augur.Cli.Commands;
using Augur.Cli.Commands.Serve;
using Augur.Models;
using Augur.Workers;

namespace Augur.Cli.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/worker-sidecar as <c>kubectl kustomize</c> renders it: the pod's layout, checked against the
/// Dockerfiles, augur's own option definitions and the real config.json and endpoint readers.
/// </summary>
public sealed class KustomizationTests
{
    [Fact]
    public async Task Renders_the_deployment_its_service_and_the_generated_config_map_it_mounts()
    {
        var pod = await SidecarPod.RenderAsync();

        Assert.Equal(["ConfigMap", "Deployment", "Service"], pod.Objects.Select(o => (string)o["kind"]!).Order());
        // The generator names the ConfigMap after a hash of its content, and the Deployment's volume follows the name.
        var name = (string)pod.ConfigMap["metadata"]!["name"]!;
        Assert.StartsWith("augur-fraud-config-", name, StringComparison.Ordinal);
        Assert.Equal(name, (string?)pod.Volume("fraud-config")["configMap"]!["name"]);
    }

    [Fact]
    public async Task The_worker_is_a_native_sidecar_and_both_containers_mount_one_emptyDir_at_sockets()
    {
        var pod = await SidecarPod.RenderAsync();

        Assert.Equal("Always", (string?)pod.Worker["restartPolicy"]);
        Assert.StartsWith("augur-worker:", (string?)pod.Worker["image"], StringComparison.Ordinal);
        Assert.StartsWith("augur-server:", (string?)pod.Server["image"], StringComparison.Ordinal);
        var workerSockets = SidecarPod.MountAt(pod.Worker, "/sockets");
        var serverSockets = SidecarPod.MountAt(pod.Server, "/sockets");
        Assert.Equal((string?)workerSockets["name"], (string?)serverSockets["name"]);
        Assert.NotNull(pod.Volume((string)workerSockets["name"]!)["emptyDir"]);
        Assert.Equal(["test", "-S", SidecarPod.Option(pod.Worker, "--socket")], SidecarPod.Strings(pod.Worker["startupProbe"]!["exec"]!["command"]));
    }

    [Fact]
    public async Task The_config_map_is_a_config_json_augur_accepts_whose_endpoint_is_the_workers_socket_in_that_volume()
    {
        var pod = await SidecarPod.RenderAsync();
        var json = (string)pod.ConfigMap["data"]!["config.json"]!;

        Assert.True(ModelConfigReader.TryParse(json, out var config, out var problem), problem);
        Assert.Equal(new ProcessWorkerBackend(new WorkerOptions()).Isolation, config.Isolation);
        Assert.Equal(1, config.InstanceCount);   // an endpoint names one worker
        Assert.True(config.Required);
        var section = config.BackendSettings[ProcessWorkerBackend.BackendName];
        var text = section.GetProperty("endpoint").GetString()!;
        Assert.True(WorkerEndpoint.TryParse(text, out var endpoint, out problem), problem);
        Assert.True(endpoint.IsUnixSocket);
        Assert.Equal(SidecarPod.Option(pod.Worker, "--socket"), endpoint.SocketPath);
        Assert.Equal("/sockets", Path.GetDirectoryName(endpoint.SocketPath));
        Assert.Equal(File.ReadAllText(Path.Combine(DeployFiles.Kustomization, "fraud-config.json")), json);
    }

    [Fact]
    public async Task Both_containers_run_augur_command_lines_that_parse_and_see_the_config_over_the_models_config_json()
    {
        var pod = await SidecarPod.RenderAsync();
        Assert.Null(pod.Worker["command"]);   // a command would replace the image's ENTRYPOINT
        Assert.Null(pod.Server["command"]);
        var worker = DeployFiles.Parse(WorkerCommand.Create(), SidecarPod.CommandLine(pod.Worker, DeployFiles.Worker));
        var server = DeployFiles.Parse(ServeCommand.Create(), SidecarPod.CommandLine(pod.Server, DeployFiles.Server));
        Assert.Empty(worker.Errors);
        Assert.Empty(server.Errors);

        var repository = server.GetValue<string>("--model-repository")!;
        var model = worker.GetValue<string>("--model");
        var configPath = $"{repository}/{model}/{ModelConfigReader.FileName}";
        Assert.Equal($"{repository}/{model}/{worker.GetValue<long>("--version")}", worker.GetValue<string>("--model-dir"));
        Assert.Equal(configPath, worker.GetValue<string>("--config"));
        foreach (var container in new[] { pod.Worker, pod.Server })
        {
            var models = SidecarPod.MountAt(container, repository);
            Assert.Equal(true, (bool?)models["readOnly"]);
            Assert.NotNull(pod.Volume((string)models["name"]!)["persistentVolumeClaim"]);
            var config = SidecarPod.MountAt(container, configPath);
            Assert.Equal("config.json", (string?)config["subPath"]);
            Assert.Equal("fraud-config", (string?)config["name"]);
        }
    }

    [Fact]
    public async Task Probes_and_service_use_the_ports_augur_serve_binds_and_its_health_routes()
    {
        var pod = await SidecarPod.RenderAsync();
        var server = DeployFiles.Parse(ServeCommand.Create(), SidecarPod.CommandLine(pod.Server, DeployFiles.Server));
        var ports = SidecarPod.Array(pod.Server, "ports").ToDictionary(p => (string)p["name"]!, p => (long)p["containerPort"]!);

        Assert.Equal(new Dictionary<string, long> { ["http"] = server.GetValue<int>("--http-port"), ["grpc"] = server.GetValue<int>("--grpc-port") }, ports);
        Assert.Equal("/v2/health/ready", (string?)pod.Server["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)pod.Server["readinessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("/v2/health/live", (string?)pod.Server["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)pod.Server["livenessProbe"]!["httpGet"]!["port"]);

        var labels = pod.Deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.All(pod.Service["spec"]!["selector"]!.AsObject(), s => Assert.Equal((string?)s.Value, (string?)labels[s.Key]));
        var targets = SidecarPod.Array(pod.Service["spec"]!, "ports").Select(p => (string)p["targetPort"]!).Order();
        Assert.Equal(ports.Keys.Order(), targets);
    }

    [Fact]
    public async Task Both_containers_run_as_the_images_user_without_privileges_or_a_writable_root()
    {
        var pod = await SidecarPod.RenderAsync();
        var security = pod.Spec["securityContext"]!;

        Assert.Equal(true, (bool?)security["runAsNonRoot"]);
        Assert.Equal(DeployFiles.Server.Final.Last("USER")!.Rest, security["runAsUser"]!.ToString());
        Assert.Equal(DeployFiles.Worker.Final.Last("USER")!.Rest, security["runAsUser"]!.ToString());
        foreach (var container in new[] { pod.Worker, pod.Server })
        {
            var context = container["securityContext"]!;
            Assert.Equal(true, (bool?)context["readOnlyRootFilesystem"]);
            Assert.Equal(false, (bool?)context["allowPrivilegeEscalation"]);
            Assert.Equal(["ALL"], SidecarPod.Strings(context["capabilities"]!["drop"]));
            // With a read-only root, /tmp (.NET's diagnostics socket, the server's own workers) needs a volume.
            Assert.NotNull(pod.Volume((string)SidecarPod.MountAt(container, "/tmp")["name"]!)["emptyDir"]);
        }
    }

    [Fact]
    public async Task Each_container_has_its_own_memory_limit_and_the_pod_outlasts_the_servers_drain()
    {
        var pod = await SidecarPod.RenderAsync();

        foreach (var container in new[] { pod.Worker, pod.Server })
        {
            var resources = container["resources"]!;
            Assert.NotNull(resources["requests"]!["cpu"]);
            Assert.NotNull(resources["requests"]!["memory"]);
            Assert.NotNull(resources["limits"]!["memory"]);
        }

        var server = DeployFiles.Parse(ServeCommand.Create(), SidecarPod.CommandLine(pod.Server, DeployFiles.Server));
        var drain = server.GetResult(server.CommandResult.Command.Options.Single(o => o.Name == "--drain-timeout")) is null
            ? new ServeSettings().DrainTimeoutSeconds
            : server.GetValue<double>("--drain-timeout");
        Assert.True(server.GetValue<double>("--shutdown-delay") > 0, "the server should stay up, not ready, while the Service drops it");
        Assert.True((long)pod.Spec["terminationGracePeriodSeconds"]! > drain, $"terminationGracePeriodSeconds must exceed the {drain} s drain");
    }
}
