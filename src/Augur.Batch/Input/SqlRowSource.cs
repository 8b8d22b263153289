using System.Data.Common;
using System.Runtime.CompilerServices;
using Augur.Batch.Storage;

namespace Augur.Batch.Input;

/// <summary>
/// The rows of a SQL query against a SQLite file or a PostgreSQL database. Row ids are positions in the result, so
/// the query must order its rows (ORDER BY a unique key) for resume and sharding to see the same row ids every run.
/// </summary>
internal sealed class SqlRowSource : IRowSource
{
    private readonly DbConnection _connection;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;

    private SqlRowSource(DbConnection connection, DbCommand command, DbDataReader reader)
    {
        _connection = connection;
        _command = command;
        _reader = reader;
        Columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
    }

    public IReadOnlyList<string> Columns { get; }

    public long? TotalRows => null;

    public static async Task<SqlRowSource> OpenAsync(StoreLocation database, string query, CancellationToken cancellationToken)
    {
        DbConnection? connection = null;
        DbCommand? command = null;
        try
        {
            connection = await ConnectionFactory.OpenAsync(database, cancellationToken).ConfigureAwait(false);
            command = connection.CreateCommand();
            command.CommandText = query;
            command.CommandTimeout = 0;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return new SqlRowSource(connection, command, reader);
        }
        catch (DbException ex)
        {
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            throw new BatchJobException(BatchExitCode.UsageError, $"the input query failed: {ex.Message}", ex);
        }
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var values = new object?[_reader.FieldCount];
            _reader.GetValues(values!);
            yield return new SourceRow(values, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
