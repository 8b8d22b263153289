using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using CsvHelper.Configuration;

namespace Augur.Batch.Input;

/// <summary>A CSV file with a header row (CsvHelper); every value is the field's text.</summary>
internal sealed class CsvRowSource : IRowSource
{
    private readonly StreamReader _text;
    private readonly CsvReader _csv;

    private CsvRowSource(StreamReader text, CsvReader csv, string[] columns, long? totalRows)
    {
        _text = text;
        _csv = csv;
        Columns = columns;
        TotalRows = totalRows;
    }

    public IReadOnlyList<string> Columns { get; }

    public long? TotalRows { get; }

    public static async Task<CsvRowSource> OpenAsync(string path, bool countRows, CancellationToken cancellationToken)
    {
        var (text, lines) = await InputFile.OpenTextAsync(path, countRows, cancellationToken).ConfigureAwait(false);
        var total = lines - 1; // the header
        var csv = new CsvReader(text, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false });
        if (!await csv.ReadAsync().ConfigureAwait(false) || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
        {
            csv.Dispose();
            text.Dispose();
            throw new BatchJobException(BatchExitCode.UsageError, $"'{path}' has no header row: a CSV input needs column names on its first line");
        }

        return new CsvRowSource(text, csv, header.Select(h => h.Trim()).ToArray(), total < 0 ? 0 : total);
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var width = Columns.Count;
        while (await _csv.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = _csv.Parser.Count;
            if (count == 1 && string.IsNullOrWhiteSpace(_csv.Parser[0]) && width > 1)
            {
                continue; // a blank line (e.g. at the end) is not a row
            }

            var values = new object?[width];
            for (var i = 0; i < width; i++)
            {
                values[i] = i < count ? _csv.Parser[i] : MissingValue.Instance;
            }

            yield return new SourceRow(values, count > width ? $"the row has {count} fields but the header names {width}" : null);
        }
    }

    public ValueTask DisposeAsync()
    {
        _csv.Dispose();
        _text.Dispose();
        return ValueTask.CompletedTask;
    }
}
