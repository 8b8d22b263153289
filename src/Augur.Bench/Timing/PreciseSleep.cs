using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Augur.Bench.Timing;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp without spinning. On Linux it uses <c>nanosleep</c>, which wakes
/// within tens of microseconds; <see cref="Thread.Sleep(int)"/> rounds to whole milliseconds, and every microsecond the
/// dispatcher wakes late is added to the latency measured from the scheduled time. Spinning instead would take a core
/// from the server on the small machines these runs share with it.
/// </summary>
internal static partial class PreciseSleep
{
    private const int SetTimerSlack = 29; // PR_SET_TIMERSLACK

    /// <summary>
    /// Lets the kernel wake the calling thread as close to its deadline as it can: the default 50 µs of timer slack
    /// would be added to every scheduled send. Affects the calling thread only.
    /// </summary>
    public static void MinimizeTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = prctl(SetTimerSlack, 1, 0, 0, 0);
        }
    }

    public static void Until(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            var nanoseconds = remaining * 1_000_000_000 / Stopwatch.Frequency;
            if (OperatingSystem.IsLinux())
            {
                var request = new Timespec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
                _ = nanosleep(ref request, 0);
            }
            else
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, nanoseconds / 1_000_000)));
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int nanosleep(ref Timespec request, nint remaining);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);
}
