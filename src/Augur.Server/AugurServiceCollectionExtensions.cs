using Augur.Protocol.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Augur.Server;

/// <summary>Registers Augur's endpoints' services.</summary>
public static class AugurServiceCollectionExtensions
{
    /// <summary>Serves <paramref name="engine"/> over the Open Inference Protocol; map the routes with <c>MapAugur()</c>.</summary>
    public static IServiceCollection AddAugur(this IServiceCollection services, InferenceEngine engine, Action<AugurServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var options = new AugurServerOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(engine);
        services.AddSingleton(options);
        services.AddSingleton(new JsonCodecOptions { MaxDepth = options.MaxJsonDepth });
        return services;
    }
}
