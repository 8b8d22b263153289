using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Augur.Server.Endpoints;

/// <summary>
/// Reads a request body into a pooled buffer, refusing bodies over the limit before reading them when
/// Content-Length says so, and while reading otherwise (chunked bodies).
/// </summary>
internal static class RequestBodyReader
{
    private const int InitialBuffer = 64 * 1024;

    /// <summary>The body, or null when it exceeds <paramref name="limit"/>. The caller returns <c>Buffer</c> to the shared pool.</summary>
    public static async Task<(byte[] Buffer, int Length)?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        // Memory is committed as bytes arrive, not as declared: a client that announces a large body and sends
        // nothing holds at most the first buffer.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? InitialBuffer, Math.Min(limit + 1, InitialBuffer)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max((long)buffer.Length * 2, 4096), limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (buffer, length);
    }
}
