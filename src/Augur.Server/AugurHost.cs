using System.Net;
using Augur.Server.Diagnostics;
using Augur.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Augur.Server;

/// <summary>Builds and starts the Kestrel host that serves an engine; used by <c>augur serve</c> and the functional tests.</summary>
public static class AugurHost
{
    /// <summary>Creates the web application (not started): Kestrel on <paramref name="address"/>:<paramref name="port"/> (port 0 picks a free one).</summary>
    public static WebApplication Create(InferenceEngine engine, IPAddress address, int port, Action<AugurServerOptions>? configure = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
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
        ServerLog.Listening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Augur.Server"), engine.Models.Count, engine.Repository ?? "(none)", address);
        return new Uri(address);
    }
}
