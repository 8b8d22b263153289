namespace Augur.Batch.Input;

/// <summary>
/// Opens a text input (CSV, JSONL) for one sequential read, and counts its lines for a progress bar's total when asked.
/// Only a file that can seek is counted, then rewound; a named pipe (<c>mkfifo</c>, <c>&lt;(cmd)</c>) can be read
/// once, so it is not counted and its total stays unknown.
/// </summary>
internal static class TextInput
{
    /// <summary>
    /// Opens <paramref name="path"/> (blocking until a writer opens it, when it is a named pipe) and counts its
    /// non-empty lines when <paramref name="countLines"/> is set and the file can seek.
    /// </summary>
    public static async Task<(StreamReader Text, long? Lines)> OpenAsync(string path, bool countLines, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        try
        {
            var lines = countLines && stream.CanSeek ? await CountAsync(stream, cancellationToken).ConfigureAwait(false) : (long?)null;
            return (new StreamReader(stream, bufferSize: 1 << 16), lines);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<long> CountAsync(FileStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long lines = 0;
        var lastWasNewline = true;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            lines += span.Count((byte)'\n');
            lastWasNewline = span[^1] == (byte)'\n';
        }

        stream.Position = 0;
        return lastWasNewline ? lines : lines + 1;
    }
}
