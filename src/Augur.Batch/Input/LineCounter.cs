namespace Augur.Batch.Input;

/// <summary>Counts the non-empty lines of a text file quickly, for a progress bar's total.</summary>
internal static class LineCounter
{
    public static async Task<long> CountAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
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

        return lastWasNewline ? lines : lines + 1;
    }
}
