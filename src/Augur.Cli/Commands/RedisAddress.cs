using StackExchange.Redis;

namespace Augur.Cli.Commands;

/// <summary>How the commands that talk to Redis (<c>augur stream --redis</c>, <c>augur serve --cache</c>) read its address.</summary>
internal static class RedisAddress
{
    /// <summary>
    /// Accepts a <c>redis://[user:password@]host[:port][/db]</c> URL or a StackExchange.Redis configuration string (a unix
    /// socket: <c>!/path/to/redis.sock</c>); <paramref name="option"/> names the option in the problem.
    /// </summary>
    public static bool TryParse(string text, string option, out ConfigurationOptions configuration, out string? problem)
    {
        configuration = null!;
        problem = null;
        try
        {
            if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
            {
                var uri = new Uri(text);
                configuration = new ConfigurationOptions { EndPoints = { { uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port } } };
                if (uri.UserInfo is { Length: > 0 } user)
                {
                    var parts = user.Split(':', 2);
                    configuration.User = parts.Length == 2 && parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                    configuration.Password = Uri.UnescapeDataString(parts.Length == 2 ? parts[1] : parts[0]);
                }

                if (uri.AbsolutePath.Trim('/') is { Length: > 0 } db)
                {
                    configuration.DefaultDatabase = int.Parse(db, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else
            {
                configuration = ConfigurationOptions.Parse(text);
            }

            if (configuration.EndPoints.Count == 0)
            {
                problem = $"{option} '{text}' names no Redis server; give a redis://host:port URL or a Redis configuration string";
                return false;
            }

            configuration.AbortOnConnectFail = false;
            return true;
        }
        catch (Exception ex) when (ex is UriFormatException or FormatException or ArgumentException or OverflowException)
        {
            problem = $"{option} '{text}' is not a redis:// URL or a Redis configuration string: {ex.Message}";
            return false;
        }
    }
}
