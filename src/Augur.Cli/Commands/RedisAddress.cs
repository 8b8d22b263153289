using Augur.Batch.Precomputed;
using StackExchange.Redis;

namespace Augur.Cli.Commands;

/// <summary>How the commands that talk to Redis (<c>augur stream --redis</c>, <c>augur serve --cache</c>) read its address.</summary>
internal static class RedisAddress
{
    /// <summary>
    /// Accepts a Redis URI as <see cref="RedisLocation"/> reads it (<c>redis://[user:password@]host[:port][/db]</c>,
    /// <c>unix:///path/to/redis.sock</c>) or a StackExchange.Redis configuration string (a unix socket:
    /// <c>!/path/to/redis.sock</c>); <paramref name="option"/> names the option in the problem.
    /// </summary>
    public static bool TryParse(string text, string option, out ConfigurationOptions configuration, out string? problem)
    {
        if (RedisLocation.IsUri(text))
        {
            var parsed = RedisLocation.TryParse(text, out configuration, out problem);
            problem = parsed ? null : $"{option} {problem}";
            return parsed;
        }

        configuration = null!;
        problem = null;
        try
        {
            configuration = ConfigurationOptions.Parse(text);
            if (configuration.EndPoints.Count == 0)
            {
                problem = $"{option} '{text}' names no Redis server; give a redis://host:port URL or a Redis configuration string";
                return false;
            }

            configuration.AbortOnConnectFail = false;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            problem = $"{option} '{text}' is not a redis:// URL or a Redis configuration string: {ex.Message}";
            return false;
        }
    }
}
