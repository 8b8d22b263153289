using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Augur.Batch.Input;

/// <summary>
/// A JSON Lines file: one JSON object per line. The columns are the first object's keys; a later line without one of
/// them gets <see cref="MissingValue"/> there, and a line that is not a JSON object becomes a bad row.
/// </summary>
internal sealed class JsonlRowSource : IRowSource
{
    private readonly StreamReader _text;
    private readonly Dictionary<string, int> _ordinals;
    private string? _firstLine;

    private JsonlRowSource(StreamReader text, string[] columns, string? firstLine, long? totalRows)
    {
        _text = text;
        Columns = columns;
        _firstLine = firstLine;
        TotalRows = totalRows;
        _ordinals = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Columns { get; }

    public long? TotalRows { get; }

    public static async Task<JsonlRowSource> OpenAsync(string path, bool countRows, CancellationToken cancellationToken)
    {
        var (text, total) = await InputFile.OpenTextAsync(path, countRows, cancellationToken).ConfigureAwait(false);
        string? first;
        do
        {
            first = await text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        while (first is not null && string.IsNullOrWhiteSpace(first));

        string[] columns = [];
        if (first is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(first);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    columns = document.RootElement.EnumerateObject().Select(p => p.Name).Distinct(StringComparer.Ordinal).ToArray();
                }
            }
            catch (JsonException)
            {
                // The first line is reported as a bad row when it is read; its keys cannot name the columns.
            }

            if (columns.Length == 0)
            {
                text.Dispose();
                throw new BatchJobException(BatchExitCode.UsageError, $"'{path}': the first line is not a JSON object with keys; a JSONL input's first line names the columns");
            }
        }

        return new JsonlRowSource(text, columns, first, total);
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = _firstLine ?? await _text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            _firstLine = null;
            if (line is null)
            {
                yield break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(line);
        }
    }

    private SourceRow Parse(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            return new SourceRow(null, $"the line is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new SourceRow(null, $"the line is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }

            var values = new object?[Columns.Count];
            Array.Fill(values, MissingValue.Instance);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (_ordinals.TryGetValue(property.Name, out var ordinal))
                {
                    values[ordinal] = property.Value.Clone();
                }
            }

            return new SourceRow(values, null);
        }
    }

    public ValueTask DisposeAsync()
    {
        _text.Dispose();
        return ValueTask.CompletedTask;
    }
}
