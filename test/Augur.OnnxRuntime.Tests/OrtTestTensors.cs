using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Augur.OnnxRuntime.Tests;

/// <summary>Moves test values in and out of ONNX Runtime as raw bytes, so one helper serves every datatype.</summary>
internal static class OrtTestTensors
{
    public static OrtValue Create<T>(DataType type, T[] values, params long[] shape) where T : unmanaged
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)OnnxElementTypes.From(type), shape);
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    public static OrtValue CreateStrings(byte[][] values, params long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < values.Length; i++)
        {
            value.StringTensorSetElementAt(values[i].AsSpan(), i);
        }

        return value;
    }

    public static T[] Read<T>(OrtValue value) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(value.GetTensorMutableRawData()).ToArray();

    public static byte[][] ReadStrings(OrtValue value)
    {
        var count = (int)value.GetTensorTypeAndShape().ElementCount;
        return Enumerable.Range(0, count).Select(i => value.GetStringElementAsSpan(i).ToArray()).ToArray();
    }

    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, params (string Name, OrtValue Value)[] inputs)
    {
        using var options = new RunOptions();
        return session.Run(options, inputs.ToDictionary(i => i.Name, i => i.Value), session.OutputNames);
    }
}
