using System.Net.Http.Headers;

namespace Augur.OpenLoop.Http;

/// <summary>
/// One endpoint and request body, sent over one shared <see cref="HttpClient"/> whose pool holds up to
/// <c>connections</c> connections that are never recycled, so no run pays for new connections mid-way.
/// </summary>
internal sealed class HttpTarget : IDisposable
{
    /// <summary>A request not answered within this time counts as an error, so a run always ends.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _client;
    private readonly byte[] _body;

    public HttpTarget(Uri uri, byte[] body, int connections)
    {
        Uri = uri;
        _body = body;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // A proxy from the environment would be measured along with the server.
            UseProxy = false,
        })
        {
            Timeout = RequestTimeout,
        };
    }

    public Uri Uri { get; }

    /// <summary>Sends the body once and reads the whole response; null on a 2xx status, otherwise what went wrong.</summary>
    public async Task<string?> SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new ByteArrayContent(_body) };
            request.Content.Headers.ContentType = Json;
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? null
                : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            // TaskCanceledException is also how HttpClient reports its timeout.
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    public void Dispose() => _client.Dispose();
}
