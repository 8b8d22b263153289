using Augur.Batch.Storage;

namespace Augur.Batch.Input;

/// <summary>The formats a job reads.</summary>
public enum InputFormat
{
    /// <summary>Decide from the file extension (.csv, .jsonl/.ndjson, .parquet) or, for a SELECT/WITH statement, SQL.</summary>
    Auto,

    /// <summary>CSV with a header row.</summary>
    Csv,

    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>Apache Parquet.</summary>
    Parquet,

    /// <summary>The rows of a SQL query.</summary>
    Sql,
}

/// <summary>Opens the row source an input names.</summary>
public static class RowSources
{
    /// <summary>
    /// Opens <paramref name="input"/>: a file, or a SQL query run against <paramref name="queryDatabase"/>. Throws
    /// <see cref="BatchJobException"/> (usage error) for a missing file or an unknown format.
    /// </summary>
    public static async Task<IRowSource> OpenAsync(string input, InputFormat format, StoreLocation? queryDatabase, bool countRows, CancellationToken cancellationToken)
    {
        format = Check(input, format, queryDatabase);
        if (format == InputFormat.Sql)
        {
            return await SqlRowSource.OpenAsync(queryDatabase!, input, cancellationToken).ConfigureAwait(false);
        }

        return format switch
        {
            InputFormat.Csv => await CsvRowSource.OpenAsync(input, countRows, cancellationToken).ConfigureAwait(false),
            InputFormat.Jsonl => await JsonlRowSource.OpenAsync(input, countRows, cancellationToken).ConfigureAwait(false),
            _ => await ParquetRowSource.OpenAsync(input, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The input's format, after the checks that need no reading: a known format, an existing file, a database for a
    /// query. Throws <see cref="BatchJobException"/> (usage error) naming the problem.
    /// </summary>
    public static InputFormat Check(string input, InputFormat format, StoreLocation? queryDatabase)
    {
        format = format == InputFormat.Auto ? Detect(input) : format;
        if (format == InputFormat.Sql)
        {
            return queryDatabase is null ? throw new BatchJobException(BatchExitCode.UsageError, "a SQL input needs a database to run against (--input-db)") : format;
        }

        return File.Exists(input) ? format : throw new BatchJobException(BatchExitCode.UsageError, $"input file '{input}' does not exist");
    }

    /// <summary>The format of <paramref name="input"/> judged from its extension, or SQL for a query.</summary>
    public static InputFormat Detect(string input)
    {
        var trimmed = input.TrimStart();
        if (!File.Exists(input) && (trimmed.StartsWith("select ", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("with ", StringComparison.OrdinalIgnoreCase)))
        {
            return InputFormat.Sql;
        }

        return Path.GetExtension(input).ToLowerInvariant() switch
        {
            ".csv" => InputFormat.Csv,
            ".jsonl" or ".ndjson" => InputFormat.Jsonl,
            ".parquet" => InputFormat.Parquet,
            var other => throw new BatchJobException(BatchExitCode.UsageError,
                $"cannot tell the format of '{input}' from its extension '{other}': use .csv, .jsonl, .ndjson or .parquet, or --format"),
        };
    }
}
