using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Augur.OnnxRuntime.Onnx.Proto;
using Microsoft.ML.OnnxRuntime.Tensors;
using DataType = Augur.OnnxRuntime.Onnx.Proto.TensorProto.Types.DataType;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// Finds the initializers of a model that can be held once for every model: those of the main graph whose values are
/// in the model file itself (<c>raw_data</c>, or the typed fields <c>float_data</c>, <c>double_data</c>,
/// <c>int32_data</c> for INT32, <c>int64_data</c> and <c>uint64_data</c>), of a fixed-size numeric type, of at least the
/// minimum size. Left to ONNX Runtime: external data (ONNX Runtime reads it from its own file), strings, types stored
/// in a wider typed field (e.g. FP16 in <c>int32_data</c>), initializers of subgraphs and functions, initializers that
/// are also graph inputs (a request may replace them), and malformed ones (ONNX Runtime reports those).
/// </summary>
internal static class ShareableInitializers
{
    public static List<InitializerCandidate> Find(ModelProto model, long minimumBytes)
    {
        var found = new List<InitializerCandidate>();
        // ONNX stores values little-endian; on a big-endian machine the bytes would need swapping first.
        if (model.Graph is not { } graph || !BitConverter.IsLittleEndian)
        {
            return found;
        }

        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            if (inputs.Contains(tensor.Name) || tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
            {
                continue;
            }

            var elementSize = ElementSize((DataType)tensor.DataType);
            var elements = ElementCount(tensor);
            if (elementSize == 0 || elements is null || elements * elementSize < minimumBytes || Data(tensor, elements.Value, elementSize) is not { } data)
            {
                continue;
            }

            var dimensions = tensor.Dims.ToArray();
            found.Add(new InitializerCandidate(tensor.Name, Key(tensor.DataType, dimensions, data.Span), (TensorElementType)tensor.DataType, dimensions, data));
        }

        return found;
    }

    /// <summary>SHA-256 over the data type, the number of dimensions, each dimension and the bytes (integers little-endian).</summary>
    public static string Key(int dataType, long[] dimensions, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(number, dataType);
        BinaryPrimitives.WriteInt32LittleEndian(number[4..], dimensions.Length);
        hash.AppendData(number);
        foreach (var dimension in dimensions)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, dimension);
            hash.AppendData(number);
        }

        hash.AppendData(data);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static int ElementSize(DataType type) => type switch
    {
        DataType.Uint8 or DataType.Int8 or DataType.Bool => 1,
        DataType.Uint16 or DataType.Int16 or DataType.Float16 or DataType.Bfloat16 => 2,
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        DataType.Int64 or DataType.Double or DataType.Uint64 => 8,
        _ => 0,
    };

    private static long? ElementCount(TensorProto tensor)
    {
        long elements = 1;
        foreach (var dimension in tensor.Dims)
        {
            // A protobuf message holds at most 2 GiB, so a larger count is a malformed tensor.
            if (dimension < 0 || (dimension > 0 && elements > int.MaxValue / dimension))
            {
                return null;
            }

            elements *= dimension;
        }

        return elements;
    }

    private static ReadOnlyMemory<byte>? Data(TensorProto tensor, long elements, int elementSize)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Length == elements * elementSize ? tensor.RawData.Memory : null;
        }

        return (DataType)tensor.DataType switch
        {
            DataType.Float => Typed(tensor.FloatData, elements),
            DataType.Double => Typed(tensor.DoubleData, elements),
            DataType.Int32 => Typed(tensor.Int32Data, elements),
            DataType.Int64 => Typed(tensor.Int64Data, elements),
            DataType.Uint64 => Typed(tensor.Uint64Data, elements),
            _ => null,
        };
    }

    private static ReadOnlyMemory<byte>? Typed<T>(Google.Protobuf.Collections.RepeatedField<T> values, long elements) where T : unmanaged =>
        values.Count == elements ? MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray() : null;
}
