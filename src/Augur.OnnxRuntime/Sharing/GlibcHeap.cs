using System.Runtime.InteropServices;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// Hands the blocks glibc's allocator keeps after they are freed back to the system. Creating a session makes and
/// frees transient copies of large initializers (the parsed one, and a pre-packed one the container already holds);
/// once glibc has raised its mmap threshold, those come from the heap and their holes stay resident, about 48 MiB per
/// session over a 24 MiB weight in design note 0012's measurements. On other C libraries (musl) and systems, nothing is done.
/// </summary>
internal static unsafe class GlibcHeap
{
    private static readonly delegate* unmanaged<nuint, int> MallocTrim = FindMallocTrim();

    /// <summary>True where glibc's <c>malloc_trim</c> was found.</summary>
    public static bool CanTrim => MallocTrim is not null;

    /// <summary>Calls <c>malloc_trim(0)</c> where glibc is the C library; returns at once elsewhere.</summary>
    public static void ReturnFreedMemory()
    {
        if (MallocTrim is not null)
        {
            _ = MallocTrim(0);
        }
    }

    // Looked up rather than imported: musl and other systems have no malloc_trim, and a missing entry point would throw
    // at the first call rather than be known up front.
    private static delegate* unmanaged<nuint, int> FindMallocTrim() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim)
            ? (delegate* unmanaged<nuint, int>)trim
            : null;
}
