using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Augur.Bench.Tests;

/// <summary>
/// A protocol endpoint on 127.0.0.1, port 0, that records every infer request (body and JSON header length) and
/// answers each with a fixed response chosen by <c>answer</c> from the request's body.
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly WebApplication _app;

    private RecordingServer(WebApplication app, Uri url, ConcurrentQueue<(byte[] Body, int? HeaderLength)> requests)
    {
        _app = app;
        Url = url;
        Requests = requests;
    }

    /// <summary>The base address.</summary>
    public Uri Url { get; }

    /// <summary>Each request's body and its Inference-Header-Content-Length (null without), in arrival order.</summary>
    public ConcurrentQueue<(byte[] Body, int? HeaderLength)> Requests { get; }

    public static async Task<RecordingServer> StartAsync(Func<byte[], int?, string> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var requests = new ConcurrentQueue<(byte[] Body, int? HeaderLength)>();
        app.MapPost("/v2/models/{model}/infer", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            int? headerLength = int.TryParse(request.Headers["Inference-Header-Content-Length"], out var length) ? length : null;
            requests.Enqueue((body.ToArray(), headerLength));
            return Results.Text(answer(body.ToArray(), headerLength), "application/json");
        });
        using var startup = new CancellationTokenSource(Timeout);
        await app.StartAsync(startup.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RecordingServer(app, new Uri(address), requests);
    }

    public async ValueTask DisposeAsync()
    {
        using (var shutdown = new CancellationTokenSource(Timeout))
        {
            await _app.StopAsync(shutdown.Token);
        }

        await _app.DisposeAsync();
    }
}
