using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Augur.Batch.Storage;

/// <summary>Opens a connection to a <see cref="StoreLocation"/>, with SQLite set up for one writer and concurrent readers.</summary>
internal static class ConnectionFactory
{
    public static async Task<DbConnection> OpenAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        DbConnection connection = location.Kind == StoreKind.Sqlite ? new SqliteConnection(location.ConnectionString) : new NpgsqlConnection(location.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (connection is SqliteConnection)
            {
                // WAL: readers (the server) never block the job's writer. synchronous=NORMAL keeps every committed
                // transaction through a process crash (kill -9); only a power loss can drop the last ones.
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
