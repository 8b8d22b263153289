using System.Runtime.InteropServices;

namespace Augur.Fuzz;

/// <summary>
/// Instrumented assemblies record every branch in SharpFuzz's trace map, which SharpFuzz maps only when afl-fuzz runs
/// the process. Replaying or seeding with an instrumented build points the map at scratch memory instead, so the
/// same published folder serves afl-fuzz and the replay of its findings.
/// </summary>
internal static class TraceScratch
{
    // afl-fuzz's map size, which instrumented code indexes into.
    private const int MapSize = 1 << 16;

    public static unsafe void Install()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            // Lives as long as the process, like the map it stands in for.
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        }
    }
}
