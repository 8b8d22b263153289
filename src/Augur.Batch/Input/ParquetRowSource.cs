using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Augur.Batch.Input;

/// <summary>
/// A Parquet file (Parquet.Net), read a row group at a time. Flat columns of numbers, booleans and strings become one
/// value per row; a list column of numbers (e.g. <c>features: list&lt;float&gt;</c>) becomes a typed array per row,
/// which is the fast way to feed a wide tensor input. Columns of other types (dates, decimals, structs) are not offered.
/// </summary>
internal sealed class ParquetRowSource : IRowSource
{
    private static readonly HashSet<Type> Numeric = [typeof(float), typeof(double), typeof(int), typeof(long), typeof(short), typeof(byte), typeof(sbyte), typeof(bool)];
    private readonly ParquetReader _reader;
    private readonly (DataField Field, bool IsList, string Name)[] _fields;

    private ParquetRowSource(ParquetReader reader, (DataField, bool, string)[] fields)
    {
        _reader = reader;
        _fields = fields;
        Columns = fields.Select(f => f.Item3).ToArray();
        TotalRows = Enumerable.Range(0, reader.RowGroupCount).Sum(i => reader.OpenRowGroupReader(i).RowCount);
    }

    public IReadOnlyList<string> Columns { get; }

    public long? TotalRows { get; }

    public static async Task<ParquetRowSource> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var stream = await InputFile.OpenAsync(path).ConfigureAwait(false);
        ParquetReader reader;
        try
        {
            if (!stream.CanSeek)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"'{path}' cannot seek (a pipe?): Parquet is read from its footer, so a Parquet input must be a regular file");
            }

            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new BatchJobException(BatchExitCode.UsageError, $"'{path}' is not a readable Parquet file: {ex.Message}", ex);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var fields = new List<(DataField, bool, string)>();
        foreach (var field in reader.Schema.Fields)
        {
            if (field is DataField { IsArray: false } data && (Numeric.Contains(data.ClrType) || data.ClrType == typeof(string)))
            {
                fields.Add((data, false, data.Name));
            }
            else if (field is ListField { Item: DataField item } list && Numeric.Contains(item.ClrType) && item.ClrType != typeof(bool))
            {
                fields.Add((item, true, list.Name));
            }
        }

        return new ParquetRowSource(reader, fields.ToArray());
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var group = 0; group < _reader.RowGroupCount; group++)
        {
            using var rowGroup = _reader.OpenRowGroupReader(group);
            var rowCount = checked((int)rowGroup.RowCount);
            var columns = new object?[_fields.Length][];
            for (var c = 0; c < _fields.Length; c++)
            {
                columns[c] = await ReadColumnAsync(rowGroup, _fields[c].Field, _fields[c].IsList, rowCount, cancellationToken).ConfigureAwait(false);
            }

            for (var r = 0; r < rowCount; r++)
            {
                var values = new object?[_fields.Length];
                for (var c = 0; c < values.Length; c++)
                {
                    values[c] = columns[c][r];
                }

                yield return new SourceRow(values, null);
            }
        }
    }

    private static Task<object?[]> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, bool isList, int rowCount, CancellationToken cancellationToken) =>
        field.ClrType switch
        {
            var t when t == typeof(float) => ReadAsync<float>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(double) => ReadAsync<double>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(int) => ReadAsync<int>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(long) => ReadAsync<long>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(short) => ReadAsync<short>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(byte) => ReadAsync<byte>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(sbyte) => ReadAsync<sbyte>(rowGroup, field, isList, rowCount, cancellationToken),
            var t when t == typeof(bool) => ReadAsync<bool>(rowGroup, field, isList, rowCount, cancellationToken),
            _ => ReadStringsAsync(rowGroup, field, rowCount, cancellationToken),
        };

    private static async Task<object?[]> ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
    {
        var strings = new string?[rowCount];
        await rowGroup.ReadAsync(field, strings.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return strings.Select(s => s is null ? (object)DBNull.Value : s).ToArray();
    }

    // Raw reads return the present values packed, with definition levels saying which entries hold one and
    // repetition levels (lists) saying where each row starts; this is an order of magnitude faster than Parquet.Net's
    // untyped deserializer, which boxes every element.
    private static async Task<object?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, bool isList, int rowCount, CancellationToken cancellationToken)
        where T : struct
    {
        var entries = checked((int)rowGroup.GetMetadata(field)!.MetaData!.NumValues);
        var values = new T[entries];
        var definitions = new int[entries];
        var repetitions = isList ? new int[entries] : null;
        await rowGroup.ReadRawAsync<T>(field, values.AsMemory(), definitions.AsMemory(), repetitions?.AsMemory(), cancellationToken).ConfigureAwait(false);
        var maxDefinition = entries == 0 ? 0 : definitions.Max();
        var rows = new object?[rowCount];
        if (!isList)
        {
            var next = 0;
            for (var r = 0; r < rowCount; r++)
            {
                rows[r] = !field.IsNullable || definitions[r] == maxDefinition ? values[next++] : DBNull.Value;
            }

            return rows;
        }

        var row = -1;
        var valueIndex = 0;
        var rowValueStart = 0;
        for (var e = 0; e <= entries; e++)
        {
            if (e == entries || repetitions![e] == 0)
            {
                if (row >= 0)
                {
                    rows[row] = values.AsSpan(rowValueStart, valueIndex - rowValueStart).ToArray();
                }

                if (e == entries)
                {
                    break;
                }

                row++;
                rowValueStart = valueIndex;
            }

            if (definitions[e] == maxDefinition)
            {
                valueIndex++;
            }
        }

        return rows;
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
