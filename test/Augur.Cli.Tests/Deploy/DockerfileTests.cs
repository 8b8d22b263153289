using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Augur.Cli.Commands;

namespace Augur.Cli.Tests.Deploy;

/// <summary>
/// deploy/docker/Dockerfile.server and Dockerfile.worker against the code they package: no container engine runs
/// here, so these are what keeps the files from rotting when a project, an option or a port changes.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Images => new() { "server", "worker" };

    [Theory]
    [MemberData(nameof(Images))]
    public void Builds_in_the_sdk_image_of_the_target_framework_and_runs_on_the_debian_aspnet_image(string name)
    {
        var image = DeployFiles.Image(name);
        var framework = XDocument.Load(Path.Combine(DeployFiles.Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework.Replace("net", "", StringComparison.Ordinal);   // net10.0 -> 10.0
        var cli = XDocument.Load(Path.Combine(DeployFiles.Root, "src", "Augur.Cli", "Augur.Cli.csproj"));

        Assert.True(image.Stages.Count >= 2, $"{image.Path} is not multi-stage");
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version}", image.Stages[0].Image);
        // augur is an ASP.NET Core app, so it needs the aspnet runtime image, not the plain runtime.
        Assert.Contains(cli.Descendants("FrameworkReference"), r => (string?)r.Attribute("Include") == "Microsoft.AspNetCore.App");
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{version}", image.Final.Image);
        // ONNX Runtime's native library needs glibc: the Debian images (the default tags), never Alpine.
        Assert.All(image.Stages, s => Assert.DoesNotContain("alpine", s.Image, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Publishes_the_augur_project_and_the_entry_point_runs_its_assembly(string name)
    {
        var image = DeployFiles.Image(name);
        var build = image.Stages[0];
        var publish = Assert.Single(build.All("RUN"), r => r.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var match = Regex.Match(publish.Arguments, @"dotnet publish (\S+\.csproj)\b.* -o (\S+)");
        Assert.True(match.Success, $"{image.Path}: expected 'dotnet publish PROJECT.csproj ... -o DIR' in: {publish.Arguments}");
        var project = Path.Combine(DeployFiles.Root, match.Groups[1].Value);
        Assert.True(File.Exists(project), $"{image.Path} publishes {match.Groups[1].Value}, which is not in the repository");
        var assembly = XDocument.Load(project).Descendants("AssemblyName").Single().Value;
        var output = match.Groups[2].Value;

        var copy = Assert.Single(image.Final.All("COPY"), c => c.Flags.ContainsKey("from"));
        Assert.Equal(build.Name, copy.Flags["from"]);
        Assert.Equal([output, "./"], copy.Words);
        var workdir = image.Final.Last("WORKDIR")!.Rest;
        var entry = image.Final.Last("ENTRYPOINT")!.ExecForm;
        Assert.Equal(["dotnet", $"{workdir}/{assembly}.dll"], entry[..2]);
        Assert.Null(image.Final.Last("CMD"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Copies_only_files_of_the_repository_into_the_build(string name)
    {
        var image = DeployFiles.Image(name);
        var sources = image.Stages[0].All("COPY").SelectMany(c => c.Words[..^1]).ToArray();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(
            File.Exists(Path.Combine(DeployFiles.Root, source)) || Directory.Exists(Path.Combine(DeployFiles.Root, source)),
            $"{image.Path} copies {source}, which is not in the repository"));
        Assert.Contains(sources, s => s.TrimEnd('/') == "src");
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Runs_as_a_numeric_non_root_user_that_owns_the_socket_folder_with_the_repository_a_volume(string name)
    {
        var image = DeployFiles.Image(name);
        var instructions = image.Final.Instructions;
        var user = image.Final.Last("USER")!;
        Assert.Equal(user, instructions.Last(i => i.Keyword is "USER" or "RUN"));   // nothing runs as root after it
        Assert.Matches("^[0-9]+$", user.Rest);
        Assert.NotEqual("0", user.Rest);

        Assert.Contains(image.Final.All("RUN"), r => r.Arguments.Contains("mkdir", StringComparison.Ordinal)
            && r.Arguments.Contains("/sockets", StringComparison.Ordinal)
            && r.Arguments.Contains($"chown {user.Rest}:{user.Rest} /sockets", StringComparison.Ordinal));
        Assert.Contains("/models", image.Final.All("VOLUME").SelectMany(v => v.Words));
    }

    [Fact]
    public void The_server_image_serves_the_mounted_repository_on_the_ports_augur_serve_binds_by_default()
    {
        var (command, arguments) = DeployFiles.EntryCommand(DeployFiles.Server);
        var parse = DeployFiles.Parse(command, arguments);

        Assert.Equal(ServeCommand.Name, command.Name);
        Assert.Empty(parse.Errors);
        Assert.Equal("/models", parse.GetValue<string>("--model-repository"));
        var exposed = DeployFiles.Server.Final.All("EXPOSE").SelectMany(e => e.Words).ToArray();
        Assert.Equal([parse.GetValue<int>("--http-port").ToString(), parse.GetValue<int>("--grpc-port").ToString()], exposed);
    }

    [Fact]
    public void The_worker_image_runs_augur_worker_and_says_why_it_has_no_healthcheck()
    {
        var entry = DeployFiles.Worker.Final.Last("ENTRYPOINT")!.ExecForm;

        Assert.Equal(WorkerCommand.Name, entry[2]);
        Assert.Equal(3, entry.Length);   // the worker's own options come from the container (docker run, the pod's args)
        Assert.Empty(DeployFiles.Worker.Final.All("HEALTHCHECK"));
        Assert.Contains("# No HEALTHCHECK:", DeployFiles.Worker.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerignore_keeps_build_outputs_git_and_test_results_out_of_the_context()
    {
        var patterns = File.ReadAllLines(Path.Combine(DeployFiles.Root, ".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains(".git", patterns);
        Assert.Contains("**/TestResults/", patterns);
    }

    [Fact]
    public async Task The_server_healthcheck_passes_on_a_ready_server_and_fails_on_one_that_is_not_ready()
    {
        var healthcheck = DeployFiles.Server.Final.Last("HEALTHCHECK")!;
        var exec = Regex.Match(healthcheck.Rest, @"^CMD (\[.*\])$");
        Assert.True(exec.Success, $"HEALTHCHECK is not CMD [exec form]: {healthcheck.Rest}");
        var probe = System.Text.Json.JsonSerializer.Deserialize<string[]>(exec.Groups[1].Value)!;
        Assert.Equal(["bash", "-c"], probe[..2]);
        Assert.Contains("/dev/tcp/127.0.0.1/8000", probe[2], StringComparison.Ordinal);
        Assert.Contains("GET /v2/health/ready ", probe[2], StringComparison.Ordinal);

        var repository = Directory.CreateTempSubdirectory("augur-healthcheck-").FullName;
        try
        {
            CopyDirectory(Path.Combine(Augur.Testing.RepositoryPaths.SampleModels, "fraud"), Path.Combine(repository, "fraud"));
            string[] serve = ["serve", "--model-repository", repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0"];
            using var ready = AugurProcess.Start(serve);
            using var notReady = AugurProcess.Start([.. serve, "--required-model", "absent"]);   // readiness 503: required model 'absent' is not loaded

            Assert.Equal(0, await RunProbeAsync(probe[2], new Uri(await ready.WaitForListeningAsync()).Port));
            Assert.Equal(1, await RunProbeAsync(probe[2], new Uri(await notReady.WaitForListeningAsync()).Port));
            using var client = new HttpClient { BaseAddress = new Uri(await notReady.WaitForListeningAsync()) };
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative))).StatusCode);
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    // The image's probe, run with bash on this machine against a server on port (the image's server uses 8000).
    private static async Task<int> RunProbeAsync(string script, int port)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script.Replace("/127.0.0.1/8000", $"/127.0.0.1/{port}", StringComparison.Ordinal));
        using var process = System.Diagnostics.Process.Start(start)!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
