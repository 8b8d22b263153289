using System.Buffers.Binary;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Joins the requests of a batch along the first dimension and splits a pipeline's outputs back, as the ONNX Runtime
/// backend does (<c>TensorMarshaller</c>) but between Augur tensors: a split is slices of the joined data, no copies, and
/// BYTES need no re-encoding since a run of elements is a run of their length-prefixed bytes.
/// </summary>
internal static class TensorRows
{
    /// <summary>The parts one after the other along dimension 0, named <paramref name="name"/>; their other dimensions agree.</summary>
    public static InferenceTensor Concat(IReadOnlyList<InferenceTensor> parts, string name)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var rowShape = parts[0].Shape[1..].ToArray();
        if (parts.Any(p => p.Shape.Length == 0 || !p.Shape[1..].SequenceEqual(rowShape)))
        {
            // The scheduler groups requests whose rows agree; reaching here means it did not.
            throw new InvalidOperationException($"input '{name}': the requests of a batch have rows of different shapes");
        }

        var data = new byte[parts.Sum(p => p.Data.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Data.Span.CopyTo(data.AsSpan(offset));
            offset += part.Data.Length;
        }

        return InferenceTensor.FromRaw(name, parts[0].DataType, [parts.Sum(p => p.Shape[0]), .. rowShape], data);
    }

    /// <summary>
    /// Each request's outputs: every tensor of <paramref name="outputs"/> (a batch's, in the signature's order) cut into
    /// consecutive parts of <paramref name="rows"/> rows, one per request; or the first problem, naming the output.
    /// </summary>
    public static InferenceTensor[][]? SplitPerRequest(IReadOnlyList<InferenceTensor> outputs, IReadOnlyList<long> rows, out string? problem)
    {
        var results = new InferenceTensor[rows.Count][];
        for (var r = 0; r < results.Length; r++)
        {
            results[r] = new InferenceTensor[outputs.Count];
        }

        for (var o = 0; o < outputs.Count; o++)
        {
            if (Split(outputs[o], rows, out problem) is not { } parts)
            {
                problem = $"output '{outputs[o].Name}': {problem}";
                return null;
            }

            for (var r = 0; r < results.Length; r++)
            {
                results[r][o] = parts[r];
            }
        }

        problem = null;
        return results;
    }

    /// <summary>
    /// <paramref name="tensor"/> cut into consecutive parts of <paramref name="rows"/> rows each, or why not: its first
    /// dimension must hold them all.
    /// </summary>
    public static InferenceTensor[]? Split(InferenceTensor tensor, IReadOnlyList<long> rows, out string? problem)
    {
        var total = rows.Sum();
        if (tensor.Shape.Length == 0 || tensor.Shape[0] != total)
        {
            problem = $"tensor '{tensor.Name}' has {(tensor.Shape.Length == 0 ? 0 : tensor.Shape[0])} rows for a batch of {total} samples";
            return null;
        }

        problem = null;
        if (rows.Count == 1)
        {
            return [tensor];
        }

        var rowElements = 1L;
        foreach (var dim in tensor.Shape[1..])
        {
            rowElements *= dim;
        }

        var parts = new InferenceTensor[rows.Count];
        var data = tensor.Data;
        var byteOffset = 0;
        for (var r = 0; r < parts.Length; r++)
        {
            var elements = rows[r] * rowElements;
            var length = tensor.DataType == DataType.Bytes
                ? BytesLength(data.Span[byteOffset..], elements)
                : (int)(elements * tensor.DataType.ElementSize());
            parts[r] = InferenceTensor.FromRaw(tensor.Name, tensor.DataType, [rows[r], .. tensor.Shape[1..]], data.Slice(byteOffset, length));
            byteOffset += length;
        }

        return parts;
    }

    /// <summary>The bytes the first <paramref name="elements"/> length-prefixed elements take.</summary>
    private static int BytesLength(ReadOnlySpan<byte> data, long elements)
    {
        var offset = 0;
        for (var i = 0L; i < elements; i++)
        {
            offset += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        }

        return offset;
    }
}
