using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Augur.Workers.Hosting;

/// <summary>
/// Waits until a connected Unix socket's peer closes it, or this side shuts it down: poll(2) for POLLRDHUP (and the
/// POLLHUP and POLLERR it always reports), which bytes arriving do not wake. A thread blocked here costs nothing per
/// batch, and tells a batch running on the connection's own thread that the engine went away.
/// </summary>
internal static partial class PeerClosedWatch
{
    /// <summary>Whether this system can watch a socket so (Linux: POLLRDHUP).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Returns once the peer has closed <paramref name="socket"/>, it was shut down here, or it cannot be watched.</summary>
    public static void Wait(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            // The descriptor stays open (closing the socket waits) while it is polled, so its number cannot be reused under us.
            handle.DangerousAddRef(ref added);
            var watched = new PollDescriptor { Descriptor = (int)handle.DangerousGetHandle(), Events = PollReadHangUp };
            while (poll(ref watched, 1, -1) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
            {
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed already.
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private const short PollReadHangUp = 0x2000;
    private const int Interrupted = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollDescriptor descriptors, nuint count, int timeout);
}
