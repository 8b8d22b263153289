using Parquet;
using Parquet.Schema;

namespace Augur.Batch.Input;

/// <summary>
/// Writes a synthetic Parquet input: <c>id</c> (INT64, the row number) and <c>features</c> (list of FP32, uniform in
/// [-1, 1), seeded), in row groups. The benchmark feeds the ranker from it: one list column per row is read as one
/// typed array, so the reader is far cheaper than the model.
/// </summary>
public static class SampleParquet
{
    /// <summary>Writes <paramref name="rows"/> rows of <paramref name="features"/> floats to <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, long rows, int features, int seed = 1, int rowGroupRows = 65_536, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        var schema = new ParquetSchema(new DataField<long>("id"), new ListField("features", new DataField<float>("element")));
        var random = new Random(seed);
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (long first = 0; first < rows; first += rowGroupRows)
        {
            var count = (int)Math.Min(rowGroupRows, rows - first);
            var ids = new long[count];
            var values = new float[count * features];
            var repetitions = new int[values.Length];
            var definitions = new int[values.Length];
            for (var r = 0; r < count; r++)
            {
                ids[r] = first + r;
            }

            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1);
                repetitions[i] = i % features == 0 ? 0 : 1; // 0 starts a row's list
                definitions[i] = 2; // list and element both present
            }

            using var group = writer.CreateRowGroup();
            await group.WriteAsync<long>(schema.DataFields[0], ids.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
            await group.WriteAllPartsAsync<float>(schema.DataFields[1], values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory(), cancellationToken).ConfigureAwait(false);
            group.CompleteValidate();
        }
    }
}
