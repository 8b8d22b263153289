using System.Net;
using System.Net.Sockets;

namespace Augur.Server;

/// <summary>Which of the host's endpoints: the REST one or the gRPC one.</summary>
public enum ServerEndpoint
{
    /// <summary>The REST endpoint (HTTP/1.1 and HTTP/2).</summary>
    Rest,

    /// <summary>The gRPC endpoint (HTTP/2).</summary>
    Grpc,
}

/// <summary>
/// Thrown by <see cref="AugurHost.StartAsync"/> when an endpoint cannot listen: its port is taken
/// (<see cref="SocketError.AddressAlreadyInUse"/>), its address is not one of this machine's
/// (<see cref="SocketError.AddressNotAvailable"/>), binding is not permitted (<see cref="SocketError.AccessDenied"/>), ...
/// </summary>
public sealed class EndpointBindException : IOException
{
    /// <summary>Creates the exception for <paramref name="endpoint"/>, which failed to bind <paramref name="address"/>.</summary>
    /// <param name="endpoint">The endpoint that failed.</param>
    /// <param name="address">The address and port it was to listen on.</param>
    /// <param name="error">The socket's error.</param>
    /// <param name="inner">The host's exception (Kestrel's), for the record.</param>
    public EndpointBindException(ServerEndpoint endpoint, IPEndPoint address, SocketException error, Exception? inner = null)
        : base($"the {(endpoint == ServerEndpoint.Rest ? "REST" : "gRPC")} endpoint cannot listen on {address}: {error?.Message}", inner ?? error)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(error);
        Endpoint = endpoint;
        Address = address;
        Error = error.SocketErrorCode;
    }

    /// <summary>The endpoint that failed.</summary>
    public ServerEndpoint Endpoint { get; }

    /// <summary>The address and port it was to listen on (port 0: any free port).</summary>
    public IPEndPoint Address { get; }

    /// <summary>Why the socket could not bind.</summary>
    public SocketError Error { get; }
}
