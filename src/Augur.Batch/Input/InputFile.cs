namespace Augur.Batch.Input;

/// <summary>
/// Opens an input file for one sequential read. The file may be a named pipe (<c>mkfifo</c>, <c>&lt;(cmd)</c>), whose
/// open blocks until a writer opens it, so the open runs off the caller's thread (a job gives up waiting when it is
/// cancelled, see <see cref="BatchJob"/>). Rows are counted for a progress bar's total only when the file can seek (then it is rewound); a pipe can be read
/// once, so its total stays unknown.
/// </summary>
internal static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading, off the caller's thread: a named pipe's open waits for a writer.</summary>
    public static Task<FileStream> OpenAsync(string path) =>
        Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous));

    /// <summary>Opens a text input and counts its non-empty lines when <paramref name="countLines"/> is set and the file can seek.</summary>
    public static async Task<(StreamReader Text, long? Lines)> OpenTextAsync(string path, bool countLines, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(path).ConfigureAwait(false);
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
