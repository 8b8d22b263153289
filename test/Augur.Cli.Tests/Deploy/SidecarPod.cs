using System.Text.Json.Nodes;

namespace Augur.Cli.Tests.Deploy;

/// <summary>The objects <c>kubectl kustomize deploy/kubernetes/worker-sidecar</c> renders, and the parts of its pod.</summary>
internal sealed class SidecarPod
{
    private static readonly Lazy<Task<SidecarPod>> Rendered = new(async () => new SidecarPod(await DeployFiles.RenderAsync(DeployFiles.Kustomization)));

    private SidecarPod(IReadOnlyList<JsonObject> objects)
    {
        Objects = objects;
        Deployment = Single("Deployment");
        Service = Single("Service");
        ConfigMap = Single("ConfigMap");
        Spec = Deployment["spec"]!["template"]!["spec"]!.AsObject();
        var sidecars = Array(Spec, "initContainers").Where(c => (string?)c["restartPolicy"] == "Always").ToArray();
        Worker = Assert.Single(sidecars);
        Server = Assert.Single(Array(Spec, "containers"));
    }

    public IReadOnlyList<JsonObject> Objects { get; }

    public JsonObject Deployment { get; }

    public JsonObject Service { get; }

    public JsonObject ConfigMap { get; }

    /// <summary>The pod template's spec.</summary>
    public JsonObject Spec { get; }

    /// <summary>The native sidecar: the init container with <c>restartPolicy: Always</c>.</summary>
    public JsonObject Worker { get; }

    /// <summary>The pod's one regular container.</summary>
    public JsonObject Server { get; }

    public static Task<SidecarPod> RenderAsync() => Rendered.Value;

    public static IEnumerable<JsonObject> Array(JsonNode node, string name) => node[name]?.AsArray().Select(n => n!.AsObject()) ?? [];

    public static string[] Strings(JsonNode? node) => node?.AsArray().Select(n => (string)n!).ToArray() ?? [];

    /// <summary>The pod volume named <paramref name="name"/>.</summary>
    public JsonObject Volume(string name) => Assert.Single(Array(Spec, "volumes"), v => (string?)v["name"] == name);

    /// <summary>The container's mount at <paramref name="path"/>.</summary>
    public static JsonObject MountAt(JsonObject container, string path) =>
        Assert.Single(Array(container, "volumeMounts"), m => (string?)m["mountPath"] == path);

    /// <summary>The value after <paramref name="option"/> in the container's args.</summary>
    public static string Option(JsonObject container, string option)
    {
        var args = Strings(container["args"]);
        var at = System.Array.IndexOf(args, option);
        Assert.True(at >= 0 && at + 1 < args.Length, $"container {container["name"]} has no {option} VALUE in its args: {string.Join(' ', args)}");
        return args[at + 1];
    }

    /// <summary>The augur command line a container runs: its image's ENTRYPOINT (after the command name) and its args.</summary>
    public static string[] CommandLine(JsonObject container, Dockerfile image) =>
        [.. DeployFiles.EntryCommand(image).Arguments, .. Strings(container["args"])];

    private JsonObject Single(string kind) => Assert.Single(Objects, o => (string?)o["kind"] == kind);
}
