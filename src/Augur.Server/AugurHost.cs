using System.Net;
using Augur.Server.Diagnostics;
using Augur.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Augur.Server;

/// <summary>Builds and starts the Kestrel host that serves an engine; used by <c>augur serve</c> and the functional tests.</summary>
public static class AugurHost
{
    /// <summary>
    /// Creates the web application (not started): Kestrel on <paramref name="address"/>:<paramref name="port"/> (port 0
    /// picks a free one) for REST, and, when <paramref name="grpcPort"/> is given, an HTTP/2 cleartext endpoint on that
    /// port for gRPC (0 picks a free one; see <see cref="GetGrpcAddress"/>).
    /// </summary>
    public static WebApplication Create(InferenceEngine engine, IPAddress address, int port, Action<AugurServerOptions>? configure = null, Action<ILoggingBuilder>? logging = null, int? grpcPort = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var grpcEndpoint = new GrpcEndpoint();
        builder.Services.AddSingleton(grpcEndpoint);
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        builder.Services.AddAugur(engine, configure);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // RequestBodyReader enforces the exact limit on the payload; Kestrel's own limit also counts chunk framing.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address, port, listen => Security.HttpsSetup.Apply(listen, configure));
            if (grpcPort is { } grpc)
            {
                // gRPC needs HTTP/2. Without TLS there is no negotiation, so this endpoint speaks HTTP/2 only (h2c);
                // with a certificate it is HTTPS with HTTP/2.
                kestrel.Listen(address, grpc, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    Security.HttpsSetup.Apply(listen, configure);
                    grpcEndpoint.Listen = listen;
                });
            }
        });

        var app = builder.Build();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseAugurSecurity();
        app.MapAugur();
        return app;
    }

    /// <summary>Starts <paramref name="app"/> and returns the address it listens on, e.g. <c>http://127.0.0.1:8000</c>.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var engine = app.Services.GetRequiredService<InferenceEngine>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Augur.Server");
        ServerLog.Listening(logger, engine.Models.Count, engine.Repository ?? "(none)", address);
        if (GetGrpcAddress(app) is { } grpc)
        {
            ServerLog.GrpcListening(logger, grpc.ToString());
        }

        return new Uri(address);
    }

    /// <summary>The started gRPC endpoint's address, e.g. <c>http://127.0.0.1:8001</c>; null when the host has none.</summary>
    public static Uri? GetGrpcAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetService<GrpcEndpoint>()?.Listen?.IPEndPoint is { } endPoint
            ? new UriBuilder(Uri.UriSchemeHttp, endPoint.Address.ToString(), endPoint.Port).Uri
            : null;
    }

    // Kestrel writes the bound port back into the listen options, which is how port 0 is resolved after start.
    private sealed class GrpcEndpoint
    {
        public ListenOptions? Listen { get; set; }
    }
}
