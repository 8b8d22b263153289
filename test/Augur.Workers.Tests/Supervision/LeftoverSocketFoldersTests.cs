using System.Net.Sockets;
using Augur.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Tests.Supervision;

/// <summary>Which socket folders of earlier servers a server removes when it first spawns workers.</summary>
public sealed class LeftoverSocketFoldersTests : IDisposable
{
    // Above the kernel's largest pid (pid_max is at most 2^22), so never a running process.
    private const int GoneServer = 999_999_999;
    private readonly string _temp = Directory.CreateTempSubdirectory("augur-leftovers-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Folder(int pid, string suffix = "")
    {
        var folder = LeftoverSocketFolders.FolderOf(_temp, pid) + suffix;
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public async Task A_gone_servers_folder_of_stale_sockets_or_nothing_is_removed()
    {
        var stale = Folder(GoneServer);
        StaleSocket.Create(Path.Combine(stale, "w1.sock"));
        StaleSocket.Create(Path.Combine(stale, "w2.sock"));
        var empty = Folder(GoneServer - 1);

        await LeftoverSocketFolders.RemoveAsync(_temp, NullLogger.Instance);

        Assert.False(Directory.Exists(stale));
        Assert.False(Directory.Exists(empty));
    }

    [Fact]
    public async Task Folders_of_running_servers_or_holding_anything_else_are_left_alone()
    {
        var own = Folder(Environment.ProcessId);
        StaleSocket.Create(Path.Combine(own, "w1.sock"));
        var running = Folder(1);
        var withFile = Folder(GoneServer);
        File.WriteAllText(Path.Combine(withFile, "notes.txt"), "not a socket");
        var withLiveSocket = Folder(GoneServer - 1);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(withLiveSocket, "w1.sock")));
        listener.Listen();
        var notAPid = Folder(GoneServer, "x");

        await LeftoverSocketFolders.RemoveAsync(_temp, NullLogger.Instance);

        Assert.All(new[] { own, running, withFile, withLiveSocket, notAPid }, folder => Assert.True(Directory.Exists(folder), folder));
        Assert.True(File.Exists(Path.Combine(own, "w1.sock")));
    }
}
