using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Augur.Cli.Tests;

/// <summary>
/// A named pipe a test feeds a job's input through, so the job is held at a known point: it has read all that was
/// written and waits for more, and it cannot finish until the test writes the rest and closes the pipe. The test
/// holds the pipe open for reading and writing (Linux allows it, fifo(7)), so writing never waits for the job to
/// open the pipe, and the job sees the end of the input only when the test closes it.
/// </summary>
internal sealed class FifoInput : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int ReadWrite = 2; // O_RDWR
    private const int CloseOnExec = 0x80000; // O_CLOEXEC: the augur children must not inherit a write end, or they never see the end of input
    private FileStream? _pipe;

    private FifoInput(string path, FileStream pipe)
    {
        Path = path;
        _pipe = pipe;
    }

    /// <summary>The pipe's path, the job's <c>--input</c>.</summary>
    public string Path { get; }

    /// <summary>Creates a named pipe at <paramref name="path"/> (mode 0600) and opens it.</summary>
    public static FifoInput Create(string path)
    {
        if (mkfifo(path, 0x180) != 0)
        {
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var fd = open(path, ReadWrite | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"open {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return new FifoInput(path, new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0));
    }

    /// <summary>Writes <paramref name="text"/>; while the pipe's buffer is full this waits for the job to read (bounded).</summary>
    public async Task WriteAsync(string text)
    {
        var pipe = _pipe ?? throw new InvalidOperationException("the pipe is closed");
        await pipe.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask().WaitAsync(Timeout);
    }

    /// <summary>Ends the input: the job reads what was written, then sees the end of the file.</summary>
    public void Close()
    {
        _pipe?.Dispose();
        _pipe = null;
    }

    /// <summary>Closes the pipe and puts a regular file holding <paramref name="text"/> at its path, as a rerun's input.</summary>
    public void ReplaceWithFile(string text)
    {
        Close();
        File.Delete(Path);
        File.WriteAllText(Path, text);
    }

    public void Dispose() => Close();

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);
}
