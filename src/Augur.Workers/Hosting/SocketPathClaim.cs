using System.Net.Sockets;
using System.Runtime.InteropServices;
using Augur.Workers.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Hosting;

/// <summary>
/// Frees a Unix socket path for a worker to listen on. A worker killed with SIGKILL (or by the out-of-memory killer)
/// leaves its socket file behind, and a sidecar restarted at the same path finds it there: such a stale socket (a socket
/// nobody listens on, so connecting is refused) is removed. A socket someone listens on, anything that is not a socket
/// (a regular file, a folder, a link) and a path whose kind cannot be told are left alone and named.
/// </summary>
internal static partial class SocketPathClaim
{
    /// <summary>The longest the probe waits for a connection to a socket that exists: a listener that does not answer by then counts as live.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Returns once nothing is at the endpoint's path; throws <see cref="WorkerStartupException"/> naming what is there otherwise.</summary>
    public static Task ClaimAsync(WorkerEndpoint endpoint, ILogger logger, CancellationToken cancellationToken) =>
        ClaimAsync(endpoint, endpoint.SocketPath!, logger, cancellationToken);

    /// <summary>As <see cref="ClaimAsync(WorkerEndpoint, ILogger, CancellationToken)"/> for another socket of the endpoint's worker (its batch socket).</summary>
    public static async Task ClaimAsync(WorkerEndpoint endpoint, string path, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return;
        }

        switch (KindOf(path))
        {
            case PathKind.Missing:
                return;
            case PathKind.Other:
                throw new WorkerStartupException($"cannot listen on {endpoint}: '{path}' exists and is not a socket; remove it or pick another socket path");
            case PathKind.Unknown:
                throw new WorkerStartupException($"cannot listen on {endpoint}: '{path}' exists already; remove it or pick another socket path");
        }

        var refused = await IsRefusedAsync(endpoint, path, cancellationToken).ConfigureAwait(false);
        if (!refused)
        {
            throw new WorkerStartupException($"cannot listen on {endpoint}: another process is listening on '{path}'; stop it or pick another socket path");
        }

        File.Delete(path);
        WorkerLog.RemovedStaleSocket(logger, path);
    }

    /// <summary>True when <paramref name="path"/> is a socket file nobody listens on (connecting is refused).</summary>
    public static async Task<bool> IsStaleSocketAsync(string path, CancellationToken cancellationToken)
    {
        if (KindOf(path) != PathKind.Socket)
        {
            return false;
        }

        try
        {
            return await IsRefusedAsync(WorkerEndpoint.UnixSocket(path), path, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkerStartupException)
        {
            return false;
        }
    }

    private static async Task<bool> IsRefusedAsync(WorkerEndpoint endpoint, string path, CancellationToken cancellationToken)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).ConfigureAwait(false);
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (SocketException error)
        {
            throw new WorkerStartupException($"cannot listen on {endpoint}: '{path}' is a socket that could not be checked ({error.Message}); remove it or pick another socket path", error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Something accepts connections there but is too busy to take one more: it is alive.
            return false;
        }
    }

    private enum PathKind
    {
        Missing,
        Socket,
        Other,
        Unknown,
    }

    // .NET tells a socket file from a regular one nowhere (both are FileAttributes.Normal, and connecting to either is
    // refused), so ask the kernel for the file's type. statx's result has one layout on every Linux architecture.
    private static PathKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return PathKind.Unknown;
        }

        Span<byte> status = stackalloc byte[StatxSize];
        int result;
        try
        {
            result = statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, status);
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than glibc 2.28 (or musl before 1.2.5) has no statx.
            return PathKind.Unknown;
        }

        if (result != 0)
        {
            return Marshal.GetLastPInvokeError() == NoSuchFile ? PathKind.Missing : PathKind.Unknown;
        }

        var mode = BitConverter.ToUInt16(status[StatxModeOffset..]);
        return (mode & FileTypeMask) == SocketFileType ? PathKind.Socket : PathKind.Other;
    }

    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int SocketFileType = 0xC000;
    private const int NoSuchFile = 2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, Span<byte> status);
}
