using System.Globalization;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Augur.Batch.Precomputed;

/// <summary>
/// A Redis server named by a URI: <c>redis://[[user]:password@]host[:port][/db]</c> (port 6379 by default) or a unix
/// socket, <c>unix:///path/to/redis.sock[?db=N]</c>. The connection retries in the background rather than failing when the
/// server is down (<c>abortConnect=false</c>).
/// </summary>
public static class RedisLocation
{
    /// <summary>True when <paramref name="text"/> is meant as a Redis URI (its scheme is <c>redis</c> or <c>unix</c>).</summary>
    public static bool IsUri(string text) =>
        text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("unix://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a Redis URI; false with the reason when it is not one.</summary>
    public static bool TryParse(string text, out ConfigurationOptions configuration, out string? problem)
    {
        configuration = null!;
        problem = null;
        if (!IsUri(text) || !Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            problem = $"'{Redact(text)}' is not a Redis URI (redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock)";
            return false;
        }

        var options = new ConfigurationOptions { AbortOnConnectFail = false };
        int? database = null;
        if (uri.Scheme.Equals("unix", StringComparison.OrdinalIgnoreCase))
        {
            var path = Uri.UnescapeDataString(uri.AbsolutePath);
            if (path.Length <= 1 || uri.Host.Length > 0)
            {
                problem = $"'{text}' names no socket: write unix:///path/to/redis.sock (three slashes)";
                return false;
            }

            options.EndPoints.Add(new UnixDomainSocketEndPoint(path));
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                if (kv[0] != "db" || kv.Length != 2 || !TryDatabase(kv[1], out var db))
                {
                    problem = $"'{text}': the only query parameter is db=N (a database number), not '{pair}'";
                    return false;
                }

                database = db;
            }
        }
        else
        {
            if (uri.Host.Length == 0)
            {
                problem = $"'{Redact(text)}' names no host (redis://host:port)";
                return false;
            }

            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
            if (uri.UserInfo is { Length: > 0 } user)
            {
                var parts = user.Split(':', 2);
                options.User = parts.Length == 2 && parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                options.Password = Uri.UnescapeDataString(parts.Length == 2 ? parts[1] : parts[0]);
            }

            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } path)
            {
                if (!TryDatabase(path, out var db))
                {
                    problem = $"'{Redact(text)}': the path must be a database number, not '{path}'";
                    return false;
                }

                database = db;
            }
        }

        options.DefaultDatabase = database;
        configuration = options;
        return true;
    }

    /// <summary><paramref name="text"/> with its password hidden, for messages.</summary>
    public static string Redact(string text) => Augur.Batch.Storage.StoreLocation.Redact(text);

    private static bool TryDatabase(string text, out int database) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out database) && database is >= 0 and <= 15_999;
}
