using System.Net.Sockets;

namespace Augur.Workers.Tests;

/// <summary>A socket file nobody listens on, as a worker killed with SIGKILL leaves behind.</summary>
internal static class StaleSocket
{
    /// <summary>Leaves a stale socket at <paramref name="path"/>.</summary>
    public static void Create(string path)
    {
        // .NET removes the file of a socket it bound when the socket is closed; the file moved away first stays.
        var bound = path + ".bound";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the stale socket '{path}' was not left behind");
        }
    }
}
