using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;

namespace Augur.WorkerTransport;

/// <summary>
/// The socket without gRPC: a second process (this program with <c>--echo SOCKET</c>) that reads a batch's input bytes
/// from a plain Unix socket and writes output bytes back. A round trip through it is what the bytes cost on the socket
/// alone (two kernel copies each way and a wake-up per side): no HTTP/2 framing, no protobuf, no model.
/// </summary>
/// <remarks>Each message: input length and output length (4-byte little-endian each), then the input bytes.</remarks>
internal sealed class EchoPeer : IDisposable
{
    public const string ReadyLine = "echo ready";

    private readonly Process _process;
    private readonly Socket _socket;

    private EchoPeer(Process process, Socket socket)
    {
        _process = process;
        _socket = socket;
    }

    /// <summary>Starts the echo process on <paramref name="socketPath"/>, waits for its ready line and connects.</summary>
    public static async Task<EchoPeer> StartAsync(string socketPath)
    {
        var self = Environment.ProcessPath!;
        var info = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { Assembly.GetEntryAssembly()!.Location } }
            : new ProcessStartInfo(self);
        info.ArgumentList.Add("--echo");
        info.ArgumentList.Add(socketPath);
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line != ReadyLine)
            {
                throw new InvalidOperationException($"the echo process printed '{line}' instead of '{ReadyLine}'");
            }

            // Every wait on the echo is bounded: a stuck peer fails the run instead of hanging it.
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 60_000, SendTimeout = 60_000 };
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return new EchoPeer(process, socket);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="inputs"/> and reads <paramref name="outputBytes"/> back into a new array.</summary>
    public byte[] RoundTrip(IEnumerable<ReadOnlyMemory<byte>> inputs, int inputBytes, int outputBytes)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, inputBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], outputBytes);
        SendAll(_socket, header);
        foreach (var input in inputs)
        {
            SendAll(_socket, input.Span);
        }

        var output = GC.AllocateUninitializedArray<byte>(outputBytes);
        ReceiveAll(_socket, output);
        return output;
    }

    /// <summary>The echo process's loop: one connection, one message at a time, until the peer closes it.</summary>
    public static int Serve(string socketPath)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        Console.Out.WriteLine(ReadyLine);
        Console.Out.Flush();
        using var connection = listener.Accept();
        var header = new byte[8];
        var buffer = Array.Empty<byte>();
        while (ReceiveAll(connection, header))
        {
            var inputBytes = BinaryPrimitives.ReadInt32LittleEndian(header);
            var outputBytes = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
            if (buffer.Length < Math.Max(inputBytes, outputBytes))
            {
                buffer = new byte[Math.Max(inputBytes, outputBytes)];
            }

            ReceiveAll(connection, buffer.AsSpan(0, inputBytes));
            SendAll(connection, buffer.AsSpan(0, outputBytes));
        }

        File.Delete(socketPath);
        return 0;
    }

    private static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            data = data[socket.Send(data)..];
        }
    }

    // False when the peer closed the connection before the first byte.
    private static bool ReceiveAll(Socket socket, Span<byte> data)
    {
        var total = data.Length;
        while (data.Length > 0)
        {
            var read = socket.Receive(data);
            if (read == 0)
            {
                return data.Length == total ? false : throw new IOException("the echo peer closed the connection in the middle of a message");
            }

            data = data[read..];
        }

        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
