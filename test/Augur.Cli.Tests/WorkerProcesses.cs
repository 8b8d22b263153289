using System.Globalization;

namespace Augur.Cli.Tests;

/// <summary>
/// What /proc says about an <c>augur serve</c> process and the <c>augur worker</c> processes it started: which are
/// alive, their resident memory (VmRSS) and their start times, so a pid the kernel reuses is not taken for the old worker.
/// </summary>
internal static class WorkerProcesses
{
    /// <summary>The live worker processes of <paramref name="server"/> (children whose command line is <c>… worker …</c>), by pid.</summary>
    /// <remarks>
    /// Children are found by their parent pid in /proc/&lt;pid&gt;/stat, which names the server's process whichever of
    /// its threads started them. (/proc/&lt;server&gt;/task/*/children lists each thread's own children, and misses a
    /// child whose thread has exited.)
    /// </remarks>
    public static int[] Of(int server) =>
        Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == server)
            .Where(pid => ReadOrNull($"/proc/{pid}/cmdline")?.Contains("\0worker\0", StringComparison.Ordinal) == true)   // a zombie's is empty
            .Order()
            .ToArray();

    private static int? ParentOf(int pid) =>
        ReadOrNull($"/proc/{pid}/stat") is { } stat ? int.Parse(StatFields(stat)[1], CultureInfo.InvariantCulture) : null;

    /// <summary>The one worker process <paramref name="server"/> runs now.</summary>
    public static int SingleOf(int server) => Assert.Single(Of(server));

    /// <summary>The resident memory of <paramref name="pid"/> in bytes: VmRSS in /proc/&lt;pid&gt;/status.</summary>
    public static long ResidentBytes(int pid)
    {
        var status = ReadOrNull($"/proc/{pid}/status") ?? throw new InvalidOperationException($"process {pid} is gone");
        var line = status.Split('\n').Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The server's resident memory plus that of every live worker it started.</summary>
    public static long TotalResidentBytes(int server) => ResidentBytes(server) + Of(server).Sum(ResidentBytes);

    /// <summary>When <paramref name="pid"/> started (clock ticks since boot, field 22 of /proc/&lt;pid&gt;/stat); null when there is no such process.</summary>
    public static long? StartTime(int pid) => ReadOrNull($"/proc/{pid}/stat") is { } stat ? long.Parse(StatFields(stat)[19], CultureInfo.InvariantCulture) : null;

    /// <summary>The state letter of <paramref name="pid"/> (R, S, Z for a zombie not yet reaped by its parent, …); null when there is no such process.</summary>
    public static string? State(int pid) => ReadOrNull($"/proc/{pid}/stat") is { } stat ? StatFields(stat)[0] : null;

    /// <summary>
    /// True when the process that had <paramref name="pid"/> and started at <paramref name="startTime"/> has exited and
    /// been reaped: no process has the pid now, or another one does (the kernel reused the number).
    /// </summary>
    public static bool IsGone(int pid, long startTime) => StartTime(pid) is not { } now || now != startTime;

    // The fields after "pid (comm) ", which may hold spaces and parentheses: index 0 is the state (field 3).
    private static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;   // the process ended meanwhile (ESRCH reads as an IOException)
        }
    }
}
