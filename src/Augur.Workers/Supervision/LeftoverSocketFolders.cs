using System.Globalization;
using Augur.Workers.Hosting;
using Microsoft.Extensions.Logging;

namespace Augur.Workers.Supervision;

/// <summary>
/// Removes the socket folders (<c>augur-workers-PID</c> in the temp folder) that earlier servers left behind (their
/// workers remove their sockets when they stop, unless killed; the folder stays). Called once, when a server first
/// spawns workers. A folder is removed only when its server's process is gone and everything in it is a socket nobody
/// listens on, so a folder of a live server, or of a server in another process namespace sharing the temp folder, is
/// never touched.
/// </summary>
internal static class LeftoverSocketFolders
{
    public const string Prefix = "augur-workers-";

    public static string FolderOf(string tempPath, int processId) =>
        Path.Combine(tempPath, Prefix + processId.ToString(CultureInfo.InvariantCulture));

    public static async Task RemoveAsync(string tempPath, ILogger logger, CancellationToken cancellationToken = default)
    {
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(tempPath, Prefix + "*");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var folder in folders)
        {
            if (ServerOf(folder) is not { } pid || pid == Environment.ProcessId || IsRunning(pid))
            {
                continue;
            }

            try
            {
                if (await HoldsOnlyStaleSocketsAsync(folder, cancellationToken).ConfigureAwait(false))
                {
                    Directory.Delete(folder, recursive: true);
                    WorkerLog.RemovedLeftoverFolder(logger, folder, pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another server removed it first, or it is not ours to remove: left as it is.
            }
        }
    }

    private static int? ServerOf(string folder) =>
        int.TryParse(Path.GetFileName(folder).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : null;

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static async Task<bool> HoldsOnlyStaleSocketsAsync(string folder, CancellationToken cancellationToken)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            if (!await SocketPathClaim.IsStaleSocketAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }
}
