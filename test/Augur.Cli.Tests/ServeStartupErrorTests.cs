using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Augur.Tensors;
using Augur.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve</c> start-up as a child process: every start-up failure is one line on stderr naming the option, with
/// exit code 2 and no stack trace, and the ports are bound (and answering) before any model loads.
/// </summary>
public sealed partial class ServeStartupErrorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-startup-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Theory]
    [InlineData("--http-port")]
    [InlineData("--grpc-port")]
    public async Task A_taken_port_stops_serve_with_one_line_before_any_model_loads(string option)
    {
        // A model whose load cannot finish until the test writes its config.json (a FIFO nobody writes here): were the
        // models loaded before the ports were bound, serve would hang instead of exiting.
        HoldModelLoad("held");
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        string[] ports = option == "--http-port" ? ["--http-port", $"{port}", "--grpc-port", "0"] : ["--http-port", "0", "--grpc-port", $"{port}"];

        var (code, stdout, stderr) = await AugurProcess.RunAsync(["serve", "--model-repository", _repository, "--host", "127.0.0.1", .. ports]);

        Assert.Equal(2, code);
        Assert.Equal(
            $"augur serve: {option} {port}: address 127.0.0.1:{port} is already in use; stop the other process or pick another port ({option} 0 picks a free one)",
            OneLine(stderr));
        // The engine's first words on a load are "Loading the models of ..." (Augur.Engine[1007]): none were printed.
        Assert.DoesNotContain("Augur.Engine", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_answers_live_and_not_ready_while_a_model_load_is_held_and_ready_once_it_is_done()
    {
        var config = HoldModelLoad("held");
        using var server = AugurProcess.Start("serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0");
        var bound = BoundLine().Match(await server.WaitForLineAsync("Augur bound "));
        Assert.True(bound.Success, server.Stdout);
        using var client = new HttpClient { BaseAddress = new Uri(bound.Groups["rest"].Value), Timeout = Timeout };
        using var channel = GrpcChannel.ForAddress(bound.Groups["grpc"].Value);
        var health = new Health.HealthClient(channel);

        // The load is held at a known point: reading config.json, which nobody has written yet.
        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), await GetAsync(client, "/v2/health/live"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"error":"the server is not ready: the engine is still loading its models"}"""), await GetAsync(client, "/v2/health/ready"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"error":"model 'held' is not ready: the engine is still loading its models"}"""), await GetAsync(client, "/v2/models/held"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await CheckAsync(health));
        Assert.DoesNotContain("Model held version 1 is ready", server.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Augur listening on", server.Stdout, StringComparison.Ordinal);

        await ReleaseModelLoadAsync(config);
        Assert.Equal(bound.Groups["rest"].Value, await server.WaitForListeningAsync());

        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), await GetAsync(client, "/v2/health/ready"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/v2/models/held")).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await CheckAsync(health));
        Assert.Contains("Model held version 1 is ready", server.Stdout, StringComparison.Ordinal);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    public static TheoryData<string[], string> BadCertificates => new()
    {
        { ["--https-certificate", "garbage.pfx"], "augur serve: Security:CertificatePath (--https-certificate): the certificate '{dir}/garbage.pfx' cannot be loaded: " },
        { ["--https-certificate", "server.pfx"], "augur serve: Security:CertificatePath (--https-certificate): the certificate '{dir}/server.pfx' cannot be loaded: " },
        { ["--https-certificate", "server.pem", "--https-certificate-key", "missing.key"], "augur serve: Security:CertificateKeyPath (--https-certificate-key): the key file '{dir}/missing.key' does not exist; " },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public async Task An_unreadable_certificate_or_missing_key_stops_serve_with_one_line_naming_the_option(string[] options, string expected)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_repository, "tls")).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "garbage.pfx"), "not a certificate");
        using (var certificate = SelfSigned())
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "server.pfx"), certificate.Export(X509ContentType.Pfx, "the-right-password"));
            await File.WriteAllTextAsync(Path.Combine(directory, "server.pem"), certificate.ExportCertificatePem());
        }

        // server.pfx is opened with the wrong password; the others need none.
        var environment = new Dictionary<string, string> { ["AUGUR_Security__CertificatePassword"] = "a-wrong-password" };
        var paths = options.Select(o => o.StartsWith("--", StringComparison.Ordinal) ? o : Path.Combine(directory, o));
        if (!options.Contains("server.pfx"))
        {
            environment.Clear();
        }

        var (code, _, stderr) = await AugurProcess.RunWithAsync(environment, ["serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0", .. paths]);

        Assert.Equal(2, code);
        Assert.StartsWith(expected.Replace("{dir}", directory, StringComparison.Ordinal), OneLine(stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-password", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string?, string> BadSettings => new()
    {
        { ["--host", "nope"], null, "augur serve: Host (--host) 'nope' is not an IP address; give one such as 0.0.0.0 (all interfaces) or 127.0.0.1 (this machine only)" },
        { ["--http-port", "70000"], null, "augur serve: HttpPort (--http-port) 70000 is not a port number; give one from 1 to 65535, or 0 to pick a free one" },
        { ["--http-port", "eighty"], null, "augur serve: --http-port 'eighty': expected a whole number; see augur serve --help" },
        { ["--share-weights", "maybe"], null, "augur serve: ShareWeights (--share-weights) on the command line: 'maybe' is not true or false" },
        { ["--fuse-pipelines", "maybe"], null, "augur serve: FusePipelines (--fuse-pipelines) on the command line: 'maybe' is not true or false" },
        { ["--share-subplans", "1"], null, "augur serve: ShareSubPlans (--share-subplans) on the command line: '1' is not true or false" },
        { ["--global-thread-pool", "maybe"], null, "augur serve: GlobalThreadPool (--global-thread-pool) on the command line: 'maybe' is not true or false" },
        { ["--shared-arena", "1"], null, "augur serve: SharedArena (--shared-arena) on the command line: '1' is not true or false" },
        { [], "AUGUR_GlobalIntraOpThreads=300", "augur serve: GlobalIntraOpThreads 300 must be from 0 (one per processor) to 256" },
        { ["--sparse-heads", "yes"], null, "augur serve: SparseHeads (--sparse-heads) on the command line: 'yes' is not true or false" },
        { [], "AUGUR_GrpcPort=eighty", "augur serve: GrpcPort (--grpc-port) from the environment variable AUGUR_GrpcPort: 'eighty' is not a whole number" },
        { [], "AUGUR_Sekurity__AdminApiKeys__0=cli-admin-key-0123456789", "augur serve: unknown setting 'Sekurity' from the environment variable AUGUR_Sekurity__AdminApiKeys__0; remove it or correct its name (the settings are " },
        { ["--config", "settings.json"], null, "augur serve: unknown setting 'Security:AdminKeys' in --config '{dir}/settings.json'; remove it or correct its name (the settings of Security are InferenceApiKeys, AdminApiKeys, " },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_serve_with_one_line_naming_the_setting_and_its_option(string[] options, string? variable, string expected)
    {
        var settings = Path.Combine(_repository, "settings.json");
        await File.WriteAllTextAsync(settings, """{"Security": {"AdminKeys": ["cli-admin-key-0123456789"]}}""");
        var environment = variable?.Split('=', 2) is [var name, var value] ? new Dictionary<string, string> { [name] = value } : [];
        var paths = options.Select(o => o == "settings.json" ? settings : o);

        var (code, _, stderr) = await AugurProcess.RunWithAsync(environment, ["serve", "--model-repository", _repository, .. paths]);

        Assert.Equal(2, code);
        Assert.StartsWith(expected.Replace("{dir}", _repository, StringComparison.Ordinal), OneLine(stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("cli-admin-key-0123456789", stderr, StringComparison.Ordinal);
    }

    /// <summary>The only line of <paramref name="stderr"/>, which holds no stack frame.</summary>
    private static string OneLine(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// Writes model <paramref name="name"/> whose config.json is a FIFO: the engine's load of it blocks opening the file
    /// until <see cref="ReleaseModelLoadAsync"/> writes it. Returns the FIFO's path.
    /// </summary>
    private string HoldModelLoad(string name)
    {
        TestModels.WriteModel(_repository, name, TestModels.Identity(DataType.Fp32, -1, 2));
        var config = Path.Combine(_repository, name, "config.json");
        if (mkfifo(config, Convert.ToUInt32("600", 8)) != 0)
        {
            throw new InvalidOperationException($"mkfifo failed: {Marshal.GetLastPInvokeError()}");
        }

        return config;
    }

    /// <summary>Writes an empty model configuration into the FIFO, which lets the held load go on.</summary>
    private static Task ReleaseModelLoadAsync(string config) => Task.Run(() =>
    {
        using var fifo = new FileStream(config, FileMode.Open, FileAccess.Write);
        fifo.Write("{}"u8);
    }).WaitAsync(Timeout);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(Health.HealthClient health)
    {
        using var bounded = new CancellationTokenSource(Timeout);
        return (await health.CheckAsync(new HealthCheckRequest(), cancellationToken: bounded.Token)).Status;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [GeneratedRegex(@"^(?<rest>http://127\.0\.0\.1:\d+) \(REST\) and (?<grpc>http://127\.0\.0\.1:\d+) \(gRPC\); loading models$")]
    private static partial Regex BoundLine();

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
}
