using System.Net.Sockets;
using System.Text;
using Augur.Testing.Fakes;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>Model names from URLs never reach outside the repository: traversal is refused with 400 and no file is touched.</summary>
public sealed class TraversalTests
{
    public static TheoryData<string> Targets => new()
    {
        "/v2/repository/models/../load",
        "/v2/repository/models/../../victim/load",
        "/v2/repository/models/%2e%2e/load",
        "/v2/repository/models/%2E%2E/load",
        "/v2/repository/models/.%2e/load",
        "/v2/repository/models/%252e%252e/load",
        "/v2/repository/models/%25252e%25252e/load",
        "/v2/repository/models/..%2fvictim/load",
        "/v2/repository/models/..%2Fvictim/load",
        "/v2/repository/models/..%252fvictim/load",
        "/v2/repository/models/%2fetc%2fpasswd/load",
        "/v2/repository/models/..%5cvictim/load",
        "/v2/repository/models/..\\victim/load",
        "/v2/repository/models/victim%00/load",
        "/v2/repository/models/victim%2500/load",
        "/v2/repository/models/%2e/load",
        "/v2/models/..%2f..%2fvictim/infer",
        "/v2/models/%2e%2e/versions/1/infer",
        "/v2/models/m/versions/..%2f1/infer",
        "/v2/repository/models/.hidden/load",
        "/v2/repository/models/victim%20/load",
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Traversal_is_refused_with_400_and_no_file_is_read_or_written(string target)
    {
        var outside = Directory.CreateTempSubdirectory("augur-victim-");
        try
        {
            // A model folder beside the repository, and a hidden one inside: neither may be loaded.
            Directory.CreateDirectory(Path.Combine(outside.FullName, "victim", "1"));
            File.WriteAllText(Path.Combine(outside.FullName, "victim", "1", FakeBackend.FileName), "{}");
            await using var server = await LifecycleServer.StartAsync(
                s =>
                {
                    s.AddEcho("m");
                    s.Repository.AddModel(".hidden");
                    s.Backend.Register("victim", FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3));
                    s.Backend.Register(".hidden", FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3));
                },
                configure: o => o.Security.AllowAdminWithoutKey = true);
            var before = Snapshot(server.Repository.Path, outside.FullName);
            var loads = server.Backend.LoadCalls;

            var (status, body) = await SendRawAsync(server.Address, target);

            Assert.True(status == 400, $"{target}: {status} {body}");
            Assert.Equal(loads, server.Backend.LoadCalls);
            Assert.DoesNotContain(server.Backend.Loaded, m => m.Name is "victim" or ".hidden");
            Assert.Equal(before, Snapshot(server.Repository.Path, outside.FullName));
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("/v2/models/fraud/infer", false)]
    [InlineData("/v2/models/model.v2/versions/3/infer", false)]
    [InlineData("/v2/models/a%20b/infer", false)]
    [InlineData("/v2/models/a+b/infer", false)]
    [InlineData("/v2/models/..", true)]
    [InlineData("/v2/models/a/./infer", true)]
    [InlineData("/v2/models/%2E%2e/infer", true)]
    [InlineData("/v2/models/a%2Fb/infer", true)]
    [InlineData("/v2/models/a%255Cb/infer", true)]
    [InlineData("/v2/models/a%2500/infer", true)]
    public void The_guard_tells_plain_paths_from_traversal(string path, bool refused)
    {
        Assert.Equal(refused, Security.RequestPathGuard.FindProblem(path) is not null);
    }

    /// <summary>
    /// Every file and folder under the roots with its size and write time: what the request may not change. (Access
    /// times are not compared: listing a folder updates its own. Reads are checked through the backend's load count.)
    /// </summary>
    private static string Snapshot(params string[] roots) => string.Join("\n", roots.SelectMany(root =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Select(i => $"{i.FullName}|{(i as FileInfo)?.Length}|{i.LastWriteTimeUtc.Ticks}"))
        .Order(StringComparer.Ordinal));

    /// <summary>Sends the target byte for byte (HttpClient would normalise it).</summary>
    private static async Task<(int Status, string Body)> SendRawAsync(Uri server, string target)
    {
        using var timeout = new CancellationTokenSource(ServerFixture.Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        var request = Encoding.ASCII.GetBytes($"POST {target} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}");
        await stream.WriteAsync(request, timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(timeout.Token);
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }
}
