using Npgsql;

namespace Augur.Batch.Storage;

/// <summary>
/// Where predictions are stored: a SQLite file (any path, the default) or a PostgreSQL database given as a
/// <c>postgres://user:password@host:port/database</c> URI (also <c>postgresql://</c>; query parameters become Npgsql
/// connection settings, e.g. <c>?sslmode=disable</c>).
/// </summary>
public sealed record StoreLocation(StoreKind Kind, string ConnectionString, string Display)
{
    /// <summary>Parses <paramref name="text"/>; false with the reason when it names neither a file nor a PostgreSQL URI.</summary>
    public static bool TryParse(string text, out StoreLocation location, out string? problem)
    {
        location = null!;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the store is empty: give a SQLite file path or a postgres:// URI";
            return false;
        }

        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                problem = $"'{Redact(text)}' is not a valid postgres:// URI (postgres://user:password@host:port/database)";
                return false;
            }

            var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
            var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (database.Length > 0)
            {
                builder.Database = database;
            }

            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                builder.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2)
                {
                    builder.Password = Uri.UnescapeDataString(parts[1]);
                }
            }

            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                try
                {
                    builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
                }
                catch (ArgumentException ex)
                {
                    problem = $"postgres URI parameter '{kv[0]}': {ex.Message}";
                    return false;
                }
            }

            location = new StoreLocation(StoreKind.Postgres, builder.ConnectionString, Redact(text));
            return true;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            problem = $"'{text}': only SQLite files and postgres:// URIs are supported";
            return false;
        }

        location = new StoreLocation(StoreKind.Sqlite, $"Data Source={Path.GetFullPath(text)};Pooling=False", text);
        return true;
    }

    /// <summary><paramref name="uri"/> with its password replaced by <c>***</c>: passwords never reach logs or the jobs table.</summary>
    public static string Redact(string uri)
    {
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var scheme = uri.IndexOf("://", StringComparison.Ordinal) + 3;
        if (at < 0)
        {
            return uri;
        }

        var colon = uri.IndexOf(':', scheme);
        return colon > 0 && colon < at ? string.Concat(uri.AsSpan(0, colon + 1), "***", uri.AsSpan(at)) : uri;
    }
}

/// <summary>The database engines a prediction store can live in.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file (Microsoft.Data.Sqlite).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (Npgsql).</summary>
    Postgres,
}
