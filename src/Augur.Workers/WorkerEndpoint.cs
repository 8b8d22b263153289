using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Augur.Workers;

/// <summary>
/// Where a model worker listens: a Unix domain socket (the default: private to the machine, no port to pick) or a TCP
/// address. Its text form is what <c>augur worker</c> prints on its ready line: <c>unix:/path/to/worker.sock</c> or
/// <c>http://127.0.0.1:5005</c>; <see cref="TryParse"/> reads it back.
/// </summary>
public sealed record WorkerEndpoint
{
    /// <summary>The longest socket path, in UTF-8 bytes, that fits a Unix socket address (<c>sun_path</c> holds 108 with its terminator).</summary>
    public const int MaxSocketPathBytes = 107;

    private const string UnixPrefix = "unix:";

    private WorkerEndpoint(string? socketPath, IPAddress? address, int port)
    {
        SocketPath = socketPath;
        Address = address;
        Port = port;
    }

    /// <summary>The absolute path of the Unix domain socket; null for a TCP endpoint.</summary>
    public string? SocketPath { get; }

    /// <summary>The IP address of a TCP endpoint; null for a Unix socket.</summary>
    public IPAddress? Address { get; }

    /// <summary>The TCP port; 0 (before the worker listens) picks a free one. 0 for a Unix socket.</summary>
    public int Port { get; }

    /// <summary>True for a Unix domain socket, false for TCP.</summary>
    [MemberNotNullWhen(true, nameof(SocketPath))]
    [MemberNotNullWhen(false, nameof(Address))]
    public bool IsUnixSocket => SocketPath is not null;

    /// <summary>A Unix domain socket at <paramref name="path"/> (made absolute); see <see cref="CheckSocketPath"/> for its limits.</summary>
    public static WorkerEndpoint UnixSocket(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        return CheckSocketPath(full) is { } problem ? throw new ArgumentException(problem, nameof(path)) : new WorkerEndpoint(full, null, 0);
    }

    /// <summary>A TCP endpoint; port 0 picks a free port when the worker listens.</summary>
    public static WorkerEndpoint Tcp(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return new WorkerEndpoint(null, address, port);
    }

    /// <summary>Null when <paramref name="path"/> can be a Unix socket address; otherwise why not.</summary>
    public static string? CheckSocketPath(string path)
    {
        var bytes = Encoding.UTF8.GetByteCount(path);
        return bytes > MaxSocketPathBytes
            ? $"the socket path '{path}' is {bytes} bytes long; a Unix socket path holds at most {MaxSocketPathBytes}, so pick a shorter one"
            : null;
    }

    /// <summary>Reads the text form (<c>unix:/path</c> or <c>http://address:port</c>), e.g. from the worker's ready line.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out WorkerEndpoint? endpoint, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = null;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = text[UnixPrefix.Length..];
            problem = !Path.IsPathFullyQualified(path) ? $"'{text}': a worker's socket path must be absolute" : CheckSocketPath(path);
            if (problem is null)
            {
                endpoint = new WorkerEndpoint(path, null, 0);
            }

            return problem is null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"
            && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            endpoint = new WorkerEndpoint(null, address, uri.Port);
            problem = null;
            return true;
        }

        problem = $"'{text}' is not a worker endpoint: expected unix:/absolute/path or http://address:port";
        return false;
    }

    /// <summary>The same TCP endpoint with its port resolved (after listening on port 0).</summary>
    internal WorkerEndpoint WithPort(int port) => new(null, Address, port);

    /// <inheritdoc />
    public override string ToString() => IsUnixSocket
        ? UnixPrefix + SocketPath
        : string.Create(CultureInfo.InvariantCulture, $"http://{new IPEndPoint(Address, Port)}");
}
