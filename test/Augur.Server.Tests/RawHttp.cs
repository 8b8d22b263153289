using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Augur.Server.Tests;

/// <summary>
/// HTTP/1.1 over a raw socket, for requests whose framing the test must control exactly. The whole request,
/// chunk terminator included, goes out in one write before the response is read, so a server that stops
/// reading early cannot turn the answer into a reset connection while the client is still sending.
/// </summary>
public static class RawHttp
{
    public static async Task<Reply> SendChunkedAsync(Uri server, string path, byte[] body, int chunkSize)
    {
        var request = new MemoryStream();
        Write(request, $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, body.Length - offset);
            Write(request, length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
            request.Write(body, offset, length);
            Write(request, "\r\n");
        }

        Write(request, "0\r\n\r\n");
        return await SendAsync(server, request.ToArray());
    }

    private static async Task<Reply> SendAsync(Uri server, byte[] request)
    {
        using var timeout = new CancellationTokenSource(ServerFixture.Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, timeout.Token);

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (TryParse(received.ToArray(), out var reply))
            {
                return reply;
            }
        }

        return TryParse(received.ToArray(), out var last) ? last : throw new IOException($"the connection closed after {received.Length} bytes, before a whole response");
    }

    private static bool TryParse(byte[] data, out Reply reply)
    {
        reply = null!;
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        var lines = Encoding.ASCII.GetString(data, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        if (data.Length < end + 4 + length)
        {
            return false;
        }

        var mediaType = headers.TryGetValue("Content-Type", out var contentType) ? contentType.Split(';')[0].Trim() : null;
        long? headerLength = headers.TryGetValue(Reply.HeaderLengthHeader, out var h) ? long.Parse(h, CultureInfo.InvariantCulture) : null;
        reply = new Reply(status, mediaType, data.AsSpan(end + 4, length).ToArray(), headerLength);
        return true;
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
