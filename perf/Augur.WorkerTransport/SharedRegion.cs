using System.IO.MemoryMappedFiles;

namespace Augur.WorkerTransport;

/// <summary>
/// A memory-mapped file in /dev/shm (tmpfs: RAM, no disk), mapped once and touched once, as a shared-memory transport
/// would keep one region per worker and reuse it for every batch. Deleted on dispose.
/// </summary>
internal sealed unsafe class SharedRegion : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;

    private SharedRegion(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, int capacity)
    {
        Path = path;
        _file = file;
        _view = view;
        Capacity = capacity;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
        // Every page faulted in now, so the measured copies see resident memory, as a region in use would.
        Span.Fill(1);
    }

    /// <summary>The file backing the region.</summary>
    public string Path { get; }

    public int Capacity { get; }

    public Span<byte> Span => new(_pointer, Capacity);

    /// <summary>A region of <paramref name="capacity"/> bytes in /dev/shm, or in the temp folder where there is no /dev/shm.</summary>
    public static SharedRegion Create(int capacity)
    {
        var folder = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(folder, $"augur-worker-transport-{Environment.ProcessId}");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, capacity, MemoryMappedFileAccess.ReadWrite);
        try
        {
            return new SharedRegion(path, file, file.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite), capacity);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        File.Delete(Path);
    }
}
