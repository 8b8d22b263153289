using System.Net;
using System.Net.Sockets;
using Augur.Server.Diagnostics;
using Augur.Server.Endpoints;
using Augur.Server.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
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
    /// <remarks>The caller owns <paramref name="engine"/>: it starts it (or calls <see cref="LoadModelsAsync"/>) and disposes it.</remarks>
    public static WebApplication Create(InferenceEngine engine, IPAddress address, int port, Action<AugurServerOptions>? configure = null, Action<ILoggingBuilder>? logging = null, int? grpcPort = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return Create(services => services.AddAugur(engine, configure), address, port, configure, logging, grpcPort);
    }

    /// <summary>
    /// Creates the web application (not started) as <see cref="Create(InferenceEngine, IPAddress, int, Action{AugurServerOptions}?, Action{ILoggingBuilder}?, int?)"/>
    /// does, with the engine built inside the host by <c>AddAugur(configureEngine)</c>: with the host's logging, meter
    /// factory and clock, loading its models once the host has started (see <see cref="LoadModelsAsync"/>), disposed
    /// with the host. This is how <c>augur serve</c> hosts its engine.
    /// </summary>
    public static WebApplication Create(Action<InferenceEngineBuilder> configureEngine, IPAddress address, int port, Action<AugurServerOptions>? configure = null, Action<ILoggingBuilder>? logging = null, int? grpcPort = null)
    {
        ArgumentNullException.ThrowIfNull(configureEngine);
        return Create(services => services.AddAugur(configureEngine, configure), address, port, configure, logging, grpcPort);
    }

    private static WebApplication Create(Action<IServiceCollection> addAugur, IPAddress address, int port, Action<AugurServerOptions>? configure, Action<ILoggingBuilder>? logging, int? grpcPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var grpcEndpoint = new GrpcEndpoint();
        builder.Services.AddSingleton(grpcEndpoint);
        var binding = new EndpointBinding();
        builder.Services.AddSingleton(binding);
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.CreateBoundListenSocket = binding.Bind);
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        addAugur(builder.Services);
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

    /// <summary>
    /// Starts <paramref name="app"/> and returns the address it listens on, e.g. <c>http://127.0.0.1:8000</c>. The engine
    /// may be one from <see cref="InferenceEngineBuilder.Build"/> that has not loaded its models yet: the host then
    /// answers liveness, and readiness false, until <see cref="LoadModelsAsync"/> has loaded them. Throws
    /// <see cref="EndpointBindException"/> when an endpoint cannot listen (a port taken, an address not this machine's).
    /// </summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (app.Services.GetRequiredService<EndpointBinding>().Failure is { } failure)
        {
            throw new EndpointBindException(failure.Endpoint, failure.Address, failure.Error, ex);
        }

        var address = RestAddress(app);
        var engine = app.Services.GetRequiredService<InferenceEngine>();
        var logger = Logger(app);
        if (engine.IsStarted && app.Services.GetService<EngineStartup>() is null)
        {
            ServerLog.Listening(logger, engine.Models.Count, engine.Repository ?? "(none)", address);
        }
        else
        {
            ServerLog.ListeningWhileLoading(logger, address, engine.Repository ?? "(none)");
        }

        if (GetGrpcAddress(app) is { } grpc)
        {
            ServerLog.GrpcListening(logger, grpc.ToString());
        }

        return new Uri(address);
    }

    /// <summary>
    /// Loads the models of a started host's engine while the host serves: <c>/v2/health/live</c> answers 200
    /// throughout, <c>/v2/health/ready</c> and the gRPC health service turn ready when the models are loaded (and the
    /// required ones ready). An engine built by the host (<c>AddAugur(configureEngine)</c>) loads by itself once the host
    /// has started (<see cref="EngineStartup"/>): this waits for that load. An engine the caller owns is started here
    /// (<see cref="InferenceEngine.StartAsync"/>). Returns false, with the load cancelled, when the host began stopping
    /// first (SIGTERM, Ctrl+C). Throws <see cref="DirectoryNotFoundException"/> when the repository folder does not exist.
    /// </summary>
    public static async Task<bool> LoadModelsAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var engine = app.Services.GetRequiredService<InferenceEngine>();
        var stopping = app.Lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        try
        {
            if (app.Services.GetService<EngineStartup>() is { } startup)
            {
                if (!await startup.Loaded.WaitAsync(linked.Token).ConfigureAwait(false))
                {
                    return false;
                }
            }
            else
            {
                await engine.StartAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }

        ServerLog.Listening(Logger(app), engine.Models.Count, engine.Repository ?? "(none)", RestAddress(app));
        return true;
    }

    private static string RestAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static ILogger Logger(WebApplication app) => app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Augur.Server");

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

    // Kestrel creates every listen socket through this hook, so a bind failure is known as a value (which endpoint,
    // which address, which socket error) instead of as Kestrel's exception text. Kestrel binds the endpoints one at a
    // time in the order they were configured: REST first, then gRPC.
    private sealed class EndpointBinding
    {
        private int _binds;

        public (ServerEndpoint Endpoint, IPEndPoint Address, SocketException Error)? Failure { get; private set; }

        public Socket Bind(EndPoint endPoint)
        {
            var endpoint = Interlocked.Increment(ref _binds) == 1 ? ServerEndpoint.Rest : ServerEndpoint.Grpc;
            try
            {
                return SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
            }
            catch (SocketException ex) when (endPoint is IPEndPoint address)
            {
                Failure ??= (endpoint, address, ex);
                throw;
            }
        }
    }
}
