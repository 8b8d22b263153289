using System.Globalization;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Bench.Keys;

/// <summary>
/// The inputs of the query for one key: a pure function of the key and the model's inputs, so every query for a key
/// carries the same values, and the job input written for precomputing (<see cref="KeyedInputWriter"/>) holds exactly
/// what the load generator sends. Each query is one sample: a leading −1 (the batch dimension) and any other −1 are 1.
/// <list type="bullet">
/// <item>Floating-point elements (FP16, BF16, FP32, FP64) are multiples of 1/64 in [−1, 1): exact in every float type,
/// and written in JSON as short exact decimals, so any reader gets the same value back.</item>
/// <item>Integers are 0 or 1 (valid indices for any lookup), booleans either, BYTES elements the key's decimal text.</item>
/// </list>
/// </summary>
public static class KeyedInputs
{
    /// <summary>The tensors of the query for <paramref name="key"/>, one per input of <paramref name="inputs"/>.</summary>
    public static IReadOnlyList<InferenceTensor> Create(IReadOnlyList<TensorSpec> inputs, long key)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var tensors = new InferenceTensor[inputs.Count];
        for (var ordinal = 0; ordinal < inputs.Count; ordinal++)
        {
            var spec = inputs[ordinal];
            var shape = spec.Shape.Select(d => d >= 0 ? d : 1).ToArray();
            var count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
            tensors[ordinal] = Create(spec, shape, count, key, ordinal);
        }

        return tensors;
    }

    /// <summary>The 64 pseudo-random bits behind element <paramref name="element"/> of input <paramref name="input"/> for <paramref name="key"/>.</summary>
    internal static ulong Bits(long key, int input, int element) =>
        SplitMix64.At((ulong)key, ((ulong)(uint)input << 32) | (uint)element);

    /// <summary>A multiple of 1/64 in [−1, 1): the top 7 bits, −64 to 63, over 64.</summary>
    internal static float Float(ulong bits) => ((int)(bits >> 57) - 64) / 64f;

    private static InferenceTensor Create(TensorSpec spec, long[] shape, int count, long key, int input)
    {
        switch (spec.DataType)
        {
            case DataType.Bytes:
                return InferenceTensor.CreateStrings(spec.Name, Fill(count, _ => key.ToString(CultureInfo.InvariantCulture)), shape);
            case DataType.Bf16:
                // bfloat16 is the upper half of a single; these values have no bits below it.
                var raw = new byte[count * 2];
                for (var e = 0; e < count; e++)
                {
                    var upper = (ushort)(BitConverter.SingleToUInt32Bits(Float(Bits(key, input, e))) >> 16);
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(e * 2), upper);
                }

                return InferenceTensor.FromRaw(spec.Name, DataType.Bf16, shape, raw);
        }

        ulong At(int e) => Bits(key, input, e);
        bool Bit(int e) => (At(e) >> 63) != 0;
        return spec.DataType switch
        {
            DataType.Fp32 => InferenceTensor.Create(spec.Name, Fill(count, e => Float(At(e))), shape),
            DataType.Fp64 => InferenceTensor.Create(spec.Name, Fill(count, e => (double)Float(At(e))), shape),
            DataType.Fp16 => InferenceTensor.Create(spec.Name, Fill(count, e => (Half)Float(At(e))), shape),
            DataType.Bool => InferenceTensor.Create(spec.Name, Fill(count, Bit), shape),
            DataType.Int8 => InferenceTensor.Create(spec.Name, Fill(count, e => (sbyte)(Bit(e) ? 1 : 0)), shape),
            DataType.Int16 => InferenceTensor.Create(spec.Name, Fill(count, e => (short)(Bit(e) ? 1 : 0)), shape),
            DataType.Int32 => InferenceTensor.Create(spec.Name, Fill(count, e => Bit(e) ? 1 : 0), shape),
            DataType.Int64 => InferenceTensor.Create(spec.Name, Fill(count, e => Bit(e) ? 1L : 0L), shape),
            DataType.UInt8 => InferenceTensor.Create(spec.Name, Fill(count, e => (byte)(Bit(e) ? 1 : 0)), shape),
            DataType.UInt16 => InferenceTensor.Create(spec.Name, Fill(count, e => (ushort)(Bit(e) ? 1 : 0)), shape),
            DataType.UInt32 => InferenceTensor.Create(spec.Name, Fill(count, e => Bit(e) ? 1u : 0u), shape),
            DataType.UInt64 => InferenceTensor.Create(spec.Name, Fill(count, e => Bit(e) ? 1UL : 0UL), shape),
            _ => throw new ArgumentException($"input '{spec.Name}' has datatype {spec.DataType}, which keyed queries cannot fill", nameof(spec)),
        };
    }

    private static T[] Fill<T>(int count, Func<int, T> value)
    {
        var values = new T[count];
        for (var e = 0; e < values.Length; e++)
        {
            values[e] = value(e);
        }

        return values;
    }
}
