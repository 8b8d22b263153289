using System.Text;

namespace Augur.Workers.Wire;

/// <summary>
/// The batch socket's framing (see <c>Protos/worker.proto</c>): each message is a 4-byte little-endian length, then that
/// many bytes of protobuf: an <c>ExecuteRequest</c> from the engine, an <c>ExecuteResponse</c> from the worker.
/// </summary>
internal static class BatchFrame
{
    /// <summary>What the batch socket's path adds to the worker's Unix socket path.</summary>
    public const string SocketSuffix = ".batch";

    /// <summary>The length prefix, in bytes.</summary>
    public const int HeaderSize = 4;

    /// <summary>
    /// The longest frame either side accepts (1 GiB), so a garbage length never commits more. A larger batch goes over
    /// gRPC instead, whose limit is protobuf's 2 GiB.
    /// </summary>
    public const int MaxLength = 1 << 30;

    /// <summary>The buffer each side of a connection keeps for frames up to this size; larger ones rent their own.</summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>The batch socket's path for a worker listening on <paramref name="socketPath"/>.</summary>
    public static string SocketPathFor(string socketPath) => socketPath + SocketSuffix;

    /// <summary>Null when the batch socket of <paramref name="socketPath"/> fits a Unix socket address; otherwise why not.</summary>
    public static string? CheckSocketPath(string socketPath)
    {
        var path = SocketPathFor(socketPath);
        var bytes = Encoding.UTF8.GetByteCount(path);
        return bytes > WorkerEndpoint.MaxSocketPathBytes
            ? $"its path '{path}' would be {bytes} bytes long; a Unix socket path holds at most {WorkerEndpoint.MaxSocketPathBytes}"
            : null;
    }

    /// <summary>Why a frame of <paramref name="length"/> bytes is refused.</summary>
    public static string Oversized(long length) => $"a frame of {length} bytes is over the batch socket's limit of {MaxLength} bytes";
}
