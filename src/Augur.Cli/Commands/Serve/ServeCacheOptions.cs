using System.CommandLine;
using Augur.Caching;

namespace Augur.Cli.Commands.Serve;

/// <summary>The response cache options of <c>augur serve</c> (models opt in with <c>response_cache</c> in config.json).</summary>
internal sealed class ServeCacheOptions
{
    public Option<long> Size { get; } = new("--cache-size")
    {
        Description = $"Bytes the in-process response cache may hold, all models together; 0 keeps none. Default {ResponseCacheOptions.DefaultSizeBytes} (256 MiB).",
    };

    public Option<string?> Address { get; } = new("--cache")
    {
        Description = "A Redis server shared by replicas as the response cache's second level: redis://host:port, or a Redis configuration string (a unix socket: !/path/redis.sock). Default none.",
    };

    public Option<double> Timeout { get; } = new("--cache-timeout")
    {
        Description = "Milliseconds a request waits for the shared cache before it goes on without it. Default 50.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Size);
        command.Options.Add(Address);
        command.Options.Add(Timeout);
    }

    /// <summary>These options with the setting keys they set.</summary>
    public IEnumerable<(Option Option, string Key)> Settings => [(Size, "CacheSize"), (Address, "Cache"), (Timeout, "CacheTimeoutMilliseconds")];
}
