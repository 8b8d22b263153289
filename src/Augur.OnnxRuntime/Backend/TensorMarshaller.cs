using System.Buffers;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>Moves tensors between Augur's byte layout and ONNX Runtime values.</summary>
internal static class TensorMarshaller
{
    /// <summary>
    /// Builds the ONNX Runtime value of one input for a batch. A single numeric request is pinned and
    /// passed without a copy; several requests are concatenated along the first dimension.
    /// </summary>
    public static OrtValue CreateInput(IReadOnlyList<InferenceRequest> batch, TensorSpec spec, List<MemoryHandle> pins)
    {
        var elementType = ElementTypes.ToElementType(spec.DataType);
        if (batch.Count == 1)
        {
            var tensor = batch[0].FindInput(spec.Name)!;
            if (spec.DataType == DataType.Bytes)
            {
                return CreateStrings(tensor.Shape.ToArray(), [tensor]);
            }

            return Pin(tensor, elementType, pins);
        }

        var parts = batch.Select(r => r.FindInput(spec.Name)!).ToArray();
        var rowShape = parts[0].Shape[1..].ToArray();
        if (parts.Any(p => p.Shape.Length == 0 || !p.Shape[1..].SequenceEqual(rowShape)))
        {
            // The scheduler groups requests whose rows agree; reaching here means it did not.
            throw new InvalidOperationException($"input '{spec.Name}': the requests of a batch have rows of different shapes");
        }

        long[] shape = [parts.Sum(p => p.Shape[0]), .. rowShape];
        if (spec.DataType == DataType.Bytes)
        {
            return CreateStrings(shape, parts);
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);
        var destination = value.GetTensorMutableRawData();
        foreach (var part in parts)
        {
            part.Data.Span.CopyTo(destination);
            destination = destination[part.Data.Length..];
        }

        return value;
    }

    private static unsafe OrtValue Pin(InferenceTensor tensor, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType elementType, List<MemoryHandle> pins)
    {
        // ONNX Runtime rejects a null data pointer even for empty tensors; a one-byte buffer stands in.
        var data = tensor.Data.Length > 0 ? tensor.Data : new byte[1];
        var pin = data.Pin();
        pins.Add(pin);
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, elementType, tensor.Shape.ToArray(), (nint)pin.Pointer, tensor.Data.Length);
    }

    private static OrtValue CreateStrings(long[] shape, IReadOnlyList<InferenceTensor> parts)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            var index = 0;
            foreach (var part in parts)
            {
                foreach (var element in part.GetBytesElements())
                {
                    value.StringTensorSetElementAt(element.Span, index++);
                }
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>Copies the outputs out, split by each request's batch size when the batch holds several requests.</summary>
    public static (IReadOnlyList<InferenceTensor>[]? Outputs, string? Error) SplitOutputs(
        IReadOnlyList<InferenceRequest> batch, string[] names, IReadOnlyList<OrtValue> values)
    {
        var results = new InferenceTensor[batch.Count][];
        for (var r = 0; r < results.Length; r++)
        {
            results[r] = new InferenceTensor[names.Length];
        }

        var sizes = batch.Select(r => r.Inputs.Count > 0 && r.Inputs[0].Shape.Length > 0 ? r.Inputs[0].Shape[0] : 1).ToArray();
        var total = sizes.Sum();
        for (var o = 0; o < names.Length; o++)
        {
            var value = values[o];
            var info = value.GetTensorTypeAndShape();
            if (!ElementTypes.TryToDataType(info.ElementDataType, out var dataType))
            {
                return (null, $"output '{names[o]}' has unsupported element type {info.ElementDataType}");
            }

            var shape = info.Shape;
            var data = dataType == DataType.Bytes ? ReadStrings(value, info.ElementCount) : value.GetTensorMutableRawData().ToArray();
            if (batch.Count == 1)
            {
                results[0][o] = InferenceTensor.FromRaw(names[o], dataType, shape, data);
                continue;
            }

            if (shape.Length == 0 || shape[0] != total)
            {
                return (null, $"output '{names[o]}' has {(shape.Length == 0 ? 0 : shape[0])} rows for a batch of {total} samples");
            }

            Split(names[o], dataType, shape, data, sizes, results, o);
        }

        return (results, null);
    }

    private static void Split(string name, DataType dataType, long[] shape, byte[] data, long[] sizes, InferenceTensor[][] results, int output)
    {
        var rowElements = shape.Length == 1 ? 1 : shape[1..].Aggregate(1L, (a, d) => a * d);
        var elements = dataType == DataType.Bytes ? BytesElements.Decode(data) : null;
        var offset = 0L;
        for (var r = 0; r < results.Length; r++)
        {
            long[] partShape = [sizes[r], .. shape[1..]];
            var count = sizes[r] * rowElements;
            ReadOnlyMemory<byte> part = elements is null
                ? data.AsMemory((int)(offset * dataType.ElementSize()), (int)(count * dataType.ElementSize()))
                : BytesElements.Encode(elements.Skip((int)offset).Take((int)count).Select(e => e.ToArray()).ToArray());
            results[r][output] = InferenceTensor.FromRaw(name, dataType, partShape, part);
            offset += count;
        }
    }

    private static byte[] ReadStrings(OrtValue value, long count)
    {
        var elements = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            elements[i] = value.GetStringElementAsSpan(i).ToArray();
        }

        return BytesElements.Encode(elements);
    }
}
