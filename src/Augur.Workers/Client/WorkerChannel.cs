using System.Net.Http;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Augur.Workers.Client;

/// <summary>The gRPC channel to a worker: one HTTP/2 connection, kept open while idle, over a Unix socket or TCP.</summary>
internal static class WorkerChannel
{
    // A Unix socket has no host name; HTTP/2 needs an authority, and this one is never resolved.
    private static readonly Uri UnixSocketAddress = new("http://localhost");

    public static GrpcChannel Create(WorkerEndpoint endpoint, WorkerClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // The engine's connection to its worker lasts as long as the worker: never closed for being idle.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = false,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.ConnectTimeout,
            InitialHttp2StreamWindowSize = WorkerWindows.Stream,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        if (endpoint.IsUnixSocket)
        {
            var socketEndPoint = new UnixDomainSocketEndPoint(endpoint.SocketPath);
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(socketEndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return GrpcChannel.ForAddress(endpoint.IsUnixSocket ? UnixSocketAddress : new Uri(endpoint.ToString()), new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            ThrowOperationCanceledOnCancellation = true,
        });
    }
}
