using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// One initializer held once: its bytes in native memory and an <see cref="OrtValue"/> over them that every session of
/// every model that has it is given. <see cref="Leases"/> counts those models; the store frees the entry at zero.
/// </summary>
internal sealed unsafe class SharedInitializer
{
    // ONNX Runtime's own CPU allocator aligns to 64 bytes; kernels may rely on it for vector loads.
    private const int Alignment = 64;

    private void* _memory;

    private SharedInitializer(string key, long bytes, void* memory, OrtValue value)
    {
        Key = key;
        Bytes = bytes;
        _memory = memory;
        Value = value;
    }

    public string Key { get; }

    public long Bytes { get; }

    public OrtValue Value { get; }

    /// <summary>The models holding this entry now; changed under the store's lock only.</summary>
    public int Leases { get; set; }

    public static SharedInitializer Create(InitializerCandidate candidate)
    {
        var length = candidate.Data.Length;
        var memory = NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), Alignment);
        try
        {
            candidate.Data.Span.CopyTo(new Span<byte>(memory, length));
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, candidate.ElementType, candidate.Dimensions, (nint)memory, length);
            return new SharedInitializer(candidate.Key, length, memory, value);
        }
        catch
        {
            NativeMemory.AlignedFree(memory);
            throw;
        }
    }

    /// <summary>Frees the value and its memory; only once no session that was given it is alive.</summary>
    public void Free()
    {
        Value.Dispose();
        NativeMemory.AlignedFree(_memory);
        _memory = null;
    }
}
