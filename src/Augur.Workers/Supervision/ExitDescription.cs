namespace Augur.Workers.Supervision;

/// <summary>Says how a worker process ended, in words: its exit code, or the signal that killed it.</summary>
internal static class ExitDescription
{
    /// <summary>For an exit code as .NET reports it on Unix (128 + the signal for a process a signal killed).</summary>
    public static string Of(int exitCode) => exitCode switch
    {
        137 => "was killed by signal 9 (SIGKILL; the kernel's out-of-memory killer sends it too)",
        > 128 and < 128 + 65 => $"was killed by signal {exitCode - 128} ({SignalName(exitCode - 128)})",
        _ => $"exited with code {exitCode}",
    };

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "a signal",
    };
}
