using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Sparse;

/// <summary>
/// A batch of FP32 rows of <see cref="Width"/> columns held sparse (design note 0017): per row its entries' column
/// indices, ascending, and their values, in compressed-row form. <see cref="ToDense"/> gives the tensor a featurizer
/// computes densely, bit for bit. Between steps (and through a shared step, which joins and splits rows) the rows
/// travel as a BYTES [B, 1] tensor, one element per row (<see cref="ToTensor"/>): its entries' indices as INT32 and then
/// their values as FP32, in the machine's byte order (they never leave the process), so rows join and split like any
/// other tensor's.
/// </summary>
internal sealed class SparseRows
{
    public SparseRows(int width, int[] rowStarts, int[] indices, float[] values)
    {
        Width = width;
        RowStarts = rowStarts;
        Indices = indices;
        Values = values;
    }

    /// <summary>The number of columns of every row.</summary>
    public int Width { get; }

    /// <summary>Row r's entries are <c>[RowStarts[r], RowStarts[r + 1])</c>; one more than the rows.</summary>
    public int[] RowStarts { get; }

    /// <summary>Each entry's column, ascending within a row.</summary>
    public int[] Indices { get; }

    /// <summary>Each entry's value.</summary>
    public float[] Values { get; }

    public int Rows => RowStarts.Length - 1;

    /// <summary>The rows as a dense FP32 [B, Width] tensor: every column not listed is 0.</summary>
    public InferenceTensor ToDense(string name)
    {
        var data = new byte[checked((long)Rows * Width * sizeof(float))];
        var dense = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        for (var row = 0; row < Rows; row++)
        {
            for (var k = RowStarts[row]; k < RowStarts[row + 1]; k++)
            {
                dense[(row * Width) + Indices[k]] = Values[k];
            }
        }

        return InferenceTensor.FromRaw(name, DataType.Fp32, [Rows, Width], data);
    }

    /// <summary>Every column of a dense FP32 [B, N] tensor as an entry, zeros too (a weight times 0 is what a dense product adds).</summary>
    public static SparseRows FromDense(InferenceTensor tensor)
    {
        var rows = (int)tensor.Shape[0];
        var width = (int)tensor.Shape[1];
        var values = tensor.ToArray<float>();
        var indices = new int[values.Length];
        var starts = new int[rows + 1];
        for (var row = 0; row < rows; row++)
        {
            starts[row + 1] = (row + 1) * width;
            for (var c = 0; c < width; c++)
            {
                indices[(row * width) + c] = c;
            }
        }

        return new SparseRows(width, starts, indices, values);
    }

    /// <summary>
    /// The count encoding of INT64 ids [<paramref name="rows"/>, K] (row-major in <paramref name="ids"/>), each in [0,
    /// <paramref name="width"/>): row r has an entry at each id it holds, ascending, valued by how many times it holds
    /// it (exact in FP32 below 2²⁴), so a product with a table [width, C] is the sum of the rows the ids look up.
    /// </summary>
    public static SparseRows FromIds(ReadOnlySpan<long> ids, int rows, int width)
    {
        var perRow = rows == 0 ? 0 : ids.Length / rows;
        var starts = new int[rows + 1];
        var indices = new int[ids.Length];
        var values = new float[ids.Length];
        var sorted = new long[perRow];
        var at = 0;
        for (var row = 0; row < rows; row++)
        {
            ids.Slice(row * perRow, perRow).CopyTo(sorted);
            Array.Sort(sorted);
            for (var k = 0; k < sorted.Length; k++)
            {
                if (k > 0 && sorted[k] == sorted[k - 1])
                {
                    values[at - 1] += 1;
                    continue;
                }

                indices[at] = checked((int)sorted[k]);
                values[at++] = 1;
            }

            starts[row + 1] = at;
        }

        return new SparseRows(width, starts, indices.AsSpan(0, at).ToArray(), values.AsSpan(0, at).ToArray());
    }

    /// <summary>The parts side by side: each row is the parts' rows, the columns of part p shifted by the widths before it.</summary>
    public static SparseRows Concat(IReadOnlyList<SparseRows> parts)
    {
        var rows = parts[0].Rows;
        var entries = parts.Sum(p => p.Indices.Length);
        var indices = new int[entries];
        var values = new float[entries];
        var starts = new int[rows + 1];
        var at = 0;
        for (var row = 0; row < rows; row++)
        {
            var offset = 0;
            foreach (var part in parts)
            {
                for (var k = part.RowStarts[row]; k < part.RowStarts[row + 1]; k++)
                {
                    indices[at] = part.Indices[k] + offset;
                    values[at++] = part.Values[k];
                }

                offset += part.Width;
            }

            starts[row + 1] = at;
        }

        return new SparseRows(parts.Sum(p => p.Width), starts, indices, values);
    }

    /// <summary>The rows as a BYTES [B, 1] tensor, one element per row (indices then values), for steps and shared steps to pass on.</summary>
    public InferenceTensor ToTensor(string name)
    {
        var data = new byte[checked((4L * Rows) + (8L * Indices.Length))];
        var offset = 0;
        for (var row = 0; row < Rows; row++)
        {
            var start = RowStarts[row];
            var count = RowStarts[row + 1] - start;
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(offset), count * 8);
            offset += 4;
            MemoryMarshal.AsBytes(Indices.AsSpan(start, count)).CopyTo(data.AsSpan(offset));
            offset += count * 4;
            MemoryMarshal.AsBytes(Values.AsSpan(start, count)).CopyTo(data.AsSpan(offset));
            offset += count * 4;
        }

        return InferenceTensor.FromRaw(name, DataType.Bytes, [Rows, 1], data);
    }

    /// <summary>The rows of a tensor made by <see cref="ToTensor"/> (possibly joined with others of the same width).</summary>
    public static SparseRows FromTensor(InferenceTensor tensor, int width)
    {
        var elements = tensor.GetBytesElements();
        var starts = new int[elements.Length + 1];
        for (var row = 0; row < elements.Length; row++)
        {
            starts[row + 1] = starts[row] + (elements[row].Length / 8);
        }

        var indices = new int[starts[^1]];
        var values = new float[starts[^1]];
        for (var row = 0; row < elements.Length; row++)
        {
            var count = starts[row + 1] - starts[row];
            var element = elements[row].Span;
            MemoryMarshal.Cast<byte, int>(element[..(count * 4)]).CopyTo(indices.AsSpan(starts[row]));
            MemoryMarshal.Cast<byte, float>(element[(count * 4)..]).CopyTo(values.AsSpan(starts[row]));
        }

        return new SparseRows(width, starts, indices, values);
    }
}
