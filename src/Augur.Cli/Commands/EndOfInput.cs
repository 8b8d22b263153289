namespace Augur.Cli.Commands;

/// <summary>
/// Standard input as a lifeline to the parent: a server starts its workers with standard input on a pipe it never writes,
/// so the pipe reaches end of file exactly when the server's end closes, which the kernel does however the server
/// ends (SIGKILL and a crash included).
/// </summary>
internal static class EndOfInput
{
    /// <summary>A token cancelled once standard input reaches end of file (or can no longer be read).</summary>
    public static CancellationToken Watch()
    {
        // Never disposed: the watch lasts as long as the process, and cancelling it must never race a disposal.
        var closed = new CancellationTokenSource();
        var reader = new Thread(() => ReadToEnd(closed)) { IsBackground = true, Name = "augur stdin watch" };
        reader.Start();
        return closed.Token;
    }

    private static void ReadToEnd(CancellationTokenSource closed)
    {
        // A dedicated thread: reading a console or pipe blocks, and the thread pool should not lose a thread to it.
        try
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (input.Read(buffer) > 0)
            {
                // Whatever arrives is discarded: only the end matters.
            }
        }
        catch (IOException)
        {
            // A standard input that cannot be read has no writer left to wait for either.
        }

        closed.Cancel();
    }
}
