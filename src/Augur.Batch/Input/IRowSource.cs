namespace Augur.Batch.Input;

/// <summary>
/// Rows of a job's input in a fixed order: the row id of a row is its 0-based position, so the same input always gives
/// the same ids (resume and sharding rely on it). A row is one value per column of <see cref="Columns"/>:
/// <see cref="string"/>, a number, <see cref="bool"/>, a typed array (a list column), a <see cref="System.Text.Json.JsonElement"/>
/// (JSONL), <see cref="DBNull"/> for a null, or <see cref="MissingValue.Instance"/> when the row lacks the column.
/// </summary>
public interface IRowSource : IAsyncDisposable
{
    /// <summary>The column names, in order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>The number of rows when it is known without reading them (Parquet metadata, a counted file); else null.</summary>
    long? TotalRows { get; }

    /// <summary>
    /// Reads the rows in order. A row that cannot be read at all (a malformed JSON line) is yielded with
    /// <see cref="SourceRow.Problem"/> set, so it is recorded as bad instead of stopping the job.
    /// </summary>
    IAsyncEnumerable<SourceRow> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>One input row: its values by column ordinal, or why it could not be read.</summary>
/// <param name="Values">One value per column (see <see cref="IRowSource"/>), or null when <paramref name="Problem"/> is set.</param>
/// <param name="Problem">Why the row could not be read.</param>
public readonly record struct SourceRow(object?[]? Values, string? Problem);

/// <summary>The value of a column the row does not have (a JSON line without the key).</summary>
public sealed class MissingValue
{
    /// <summary>The one instance.</summary>
    public static readonly MissingValue Instance = new();

    private MissingValue()
    {
    }
}
