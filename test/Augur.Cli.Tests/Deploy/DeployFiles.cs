using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Augur.Cli.Commands;
using Augur.Testing;
using YamlDotNet.RepresentationModel;

namespace Augur.Cli.Tests.Deploy;

/// <summary>The files under deploy/ and what they are checked against.</summary>
internal static class DeployFiles
{
    public static string Root => RepositoryPaths.Root;

    public static string Kustomization => Path.Combine(Root, "deploy", "kubernetes", "worker-sidecar");

    public static Dockerfile Server { get; } = Dockerfile.Load(Path.Combine(Root, "deploy", "docker", "Dockerfile.server"));

    public static Dockerfile Worker { get; } = Dockerfile.Load(Path.Combine(Root, "deploy", "docker", "Dockerfile.worker"));

    public static Dockerfile Image(string name) => name switch
    {
        "server" => Server,
        "worker" => Worker,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "server or worker"),
    };

    /// <summary>
    /// The augur command an image runs: its ENTRYPOINT is <c>dotnet /app/augur.dll COMMAND ...</c>; this is the
    /// command's definition and the arguments after its name.
    /// </summary>
    public static (Command Command, string[] Arguments) EntryCommand(Dockerfile image)
    {
        var entry = image.Final.Last("ENTRYPOINT")!.ExecForm;
        Command command = entry[2] switch
        {
            ServeCommand.Name => ServeCommand.Create(),
            WorkerCommand.Name => WorkerCommand.Create(),
            _ => throw new InvalidOperationException($"{image.Path}: ENTRYPOINT runs augur {entry[2]}, which these tests do not know"),
        };
        return (command, entry[3..]);
    }

    /// <summary>Parses a command line the way augur does; the errors System.CommandLine reports, none when it is valid.</summary>
    public static ParseResult Parse(Command command, IEnumerable<string> arguments) => command.Parse(arguments.ToArray());

    /// <summary>Runs <c>kubectl kustomize</c> on <paramref name="directory"/> and returns each rendered object as JSON.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RenderAsync(string directory)
    {
        ProcessStartInfo start = new("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"kubectl could not be run ({ex.Message}); install it (apt-get install kubernetes-client: .ci/run does) to check deploy/kubernetes", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {await stderr}");
            var yaml = new YamlStream();
            yaml.Load(new StringReader(await stdout));
            return yaml.Documents.Select(d => (JsonObject)ToJson(d.RootNode)!).ToArray();
        }
    }

    // YAML scalars become JSON numbers or booleans where YAML 1.2's core schema reads them so, unless quoted.
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when long.TryParse(scalar.Value, out var number) => JsonValue.Create(number),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } scalar => JsonValue.Create(scalar.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "null" or "~" or "" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new FormatException($"unexpected YAML node {node.NodeType}"),
    };
}
