using Augur.Protocol.Json;
using Augur.Server.Lifecycle;
using Augur.Server.Security;
using Augur.Server.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace Augur.Server;

/// <summary>Registers Augur's endpoints' services.</summary>
public static class AugurServiceCollectionExtensions
{
    /// <summary>Serves <paramref name="engine"/> over the Open Inference Protocol, REST and gRPC; map the routes with <c>MapAugur()</c>.</summary>
    public static IServiceCollection AddAugur(this IServiceCollection services, InferenceEngine engine, Action<AugurServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var options = new AugurServerOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(engine);
        services.AddSingleton(options);
        services.AddSingleton(new JsonCodecOptions { MaxDepth = options.MaxJsonDepth });
        services.AddSingleton(new ApiKeyAuthorizer(options.Security));
        services.AddSingleton(new ServerLifecycle(options, engine));
        services.AddHostedService(sp => sp.GetRequiredService<ServerLifecycle>());
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout);
        services.AddAugurGrpc(options);
        if (options.MetricsPath is not null)
        {
            // Scrapes see the values of the moment: Prometheus sets the pace, so the exporter keeps no cached copy.
            // Other engines in the process (tests, or several hosts) publish meters of the same name; the view drops
            // theirs and leaves every other meter the host exports alone.
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(InferenceEngine.MeterName)
                .AddView(instrument => instrument.Meter.Name == InferenceEngine.MeterName && !ReferenceEquals(instrument.Meter, engine.Meter)
                    ? MetricStreamConfiguration.Drop
                    : null)
                .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        }

        return services;
    }
}
