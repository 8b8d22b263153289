namespace Augur.Workers;

/// <summary>
/// HTTP/2 flow-control windows of the worker connection, on both ends: large enough that a batch of large tensors (the
/// image sample's 64 × 3 × 32 × 32 FP32 is 768 KiB) is sent without waiting for the peer's window updates.
/// </summary>
internal static class WorkerWindows
{
    /// <summary>The connection window, in bytes.</summary>
    public const int Connection = 16 * 1024 * 1024;

    /// <summary>The window of one call, in bytes.</summary>
    public const int Stream = 8 * 1024 * 1024;
}
