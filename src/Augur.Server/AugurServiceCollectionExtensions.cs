using System.Diagnostics.Metrics;
using Augur.Protocol.Json;
using Augur.Server.Grpc;
using Augur.Server.Lifecycle;
using Augur.Server.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Augur.Server;

/// <summary>Registers Augur's engine and the services of its endpoints (map the routes with <c>MapAugur()</c>).</summary>
public static class AugurServiceCollectionExtensions
{
    /// <summary>
    /// Builds Augur's engine inside this container and serves it over the Open Inference Protocol, REST and gRPC; map
    /// the routes with <c>app.MapAugur()</c>. <paramref name="configureEngine"/> configures the engine (model
    /// repository, backends); it starts from the container's <see cref="ILoggerFactory"/>, <see cref="IMeterFactory"/>
    /// and <see cref="TimeProvider"/> (the registered one, else <see cref="TimeProvider.System"/>) and may replace them.
    /// </summary>
    /// <remarks>
    /// The engine is a singleton that the container builds when the host starts and disposes with itself. It loads its
    /// models once the host has started (<see cref="EngineStartup"/>): host start does not wait for the load, so the
    /// application's endpoints and <c>/v2/health/live</c> answer at once while <c>/v2/health/ready</c> answers 503
    /// until the models are in. A load that fails (the repository folder does not exist) is logged and stops the host.
    /// The engine's metrics are exported on <see cref="AugurServerOptions.MetricsPath"/> from the container's
    /// <see cref="IMeterFactory"/> only, so several hosts in one process each export their own engine.
    /// </remarks>
    public static IServiceCollection AddAugur(this IServiceCollection services, Action<InferenceEngineBuilder> configureEngine, Action<AugurServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configureEngine);
        return services.AddAugur((_, engine) => configureEngine(engine), configure);
    }

    /// <summary>
    /// As <see cref="AddAugur(IServiceCollection, Action{InferenceEngineBuilder}, Action{AugurServerOptions}?)"/>, with the
    /// container at hand to configure the engine from other services (configuration, a cache).
    /// </summary>
    public static IServiceCollection AddAugur(this IServiceCollection services, Action<IServiceProvider, InferenceEngineBuilder> configureEngine, Action<AugurServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureEngine);
        var options = ServerOptions(services, configure);
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(container => BuildEngine(container, configureEngine));
        services.AddSingleton(container => new EngineStartup(
            container.GetRequiredService<InferenceEngine>(),
            container.GetRequiredService<IHostApplicationLifetime>(),
            container.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(container => container.GetRequiredService<EngineStartup>());
        AddServer(services, options);
        if (options.MetricsPath is not null)
        {
            // Microsoft.Extensions.Diagnostics enables the meter for OpenTelemetry's listener with MeterScope.Local:
            // meters from this container's IMeterFactory, which is where the engine's meter comes from. OpenTelemetry's
            // own AddMeter would listen by name across the process and see every other host's engine too.
            services.AddMetrics(metrics => metrics.EnableMetrics(InferenceEngine.MeterName, instrumentName: null, listenerName: "OpenTelemetry", scopes: MeterScope.Local));
            services.AddOpenTelemetry().WithMetrics(AddPrometheus);
        }

        return services;
    }

    /// <summary>
    /// Serves <paramref name="engine"/>, which the caller built, starts (<see cref="InferenceEngine.StartAsync"/>, or
    /// <c>AugurHost.LoadModelsAsync</c>) and disposes, over the Open Inference Protocol, REST and gRPC; map the routes
    /// with <c>MapAugur()</c>.
    /// </summary>
    public static IServiceCollection AddAugur(this IServiceCollection services, InferenceEngine engine, Action<AugurServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(engine);
        var options = ServerOptions(services, configure);
        services.AddSingleton(engine);
        AddServer(services, options);
        if (options.MetricsPath is not null)
        {
            // This engine's meter did not come from the container's IMeterFactory, so scoping by factory cannot pick it
            // out. Other engines in the process (tests, several hosts) publish meters of the same name: the view drops
            // theirs, by meter instance, and leaves every other meter the host exports alone.
            services.AddOpenTelemetry().WithMetrics(metrics => AddPrometheus(metrics
                .AddMeter(InferenceEngine.MeterName)
                .AddView(instrument => instrument.Meter.Name == InferenceEngine.MeterName && !ReferenceEquals(instrument.Meter, engine.Meter)
                    ? MetricStreamConfiguration.Drop
                    : null)));
        }

        return services;
    }

    private static AugurServerOptions ServerOptions(IServiceCollection services, Action<AugurServerOptions>? configure)
    {
        if (services.Any(service => service.ServiceType == typeof(InferenceEngine)))
        {
            throw new InvalidOperationException("AddAugur was already called on these services; a host serves one engine.");
        }

        var options = new AugurServerOptions();
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    private static InferenceEngine BuildEngine(IServiceProvider container, Action<IServiceProvider, InferenceEngineBuilder> configure)
    {
        var builder = new InferenceEngineBuilder()
            .UseLoggerFactory(container.GetRequiredService<ILoggerFactory>())
            .UseMeterFactory(container.GetRequiredService<IMeterFactory>())
            .UseTimeProvider(container.GetService<TimeProvider>() ?? TimeProvider.System);
        configure(container, builder);
        return builder.Build();
    }

    private static void AddServer(IServiceCollection services, AugurServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new JsonCodecOptions { MaxDepth = options.MaxJsonDepth });
        services.AddSingleton(new ApiKeyAuthorizer(options.Security));
        services.AddSingleton(container => new ServerLifecycle(options, container.GetRequiredService<InferenceEngine>()));
        services.AddHostedService(container => container.GetRequiredService<ServerLifecycle>());
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout);
        services.AddAugurGrpc(options);
    }

    // Scrapes see the values of the moment: Prometheus sets the pace, so the exporter keeps no cached copy.
    private static void AddPrometheus(MeterProviderBuilder metrics) =>
        metrics.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0);
}
