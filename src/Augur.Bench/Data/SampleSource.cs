using Augur.Bench.Targets;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Bench.Data;

/// <summary>Where a query's samples come from: random tensors shaped by the model's inputs, or a request file.</summary>
public abstract class SampleSource
{
    /// <summary>Prepares a query of <paramref name="samples"/> samples for <paramref name="target"/>.</summary>
    public abstract object CreateQuery(IBenchTarget target, int samples);

    /// <summary>Random tensors shaped by <paramref name="inputs"/>; the same seed gives the same data.</summary>
    public static SampleSource Random(IReadOnlyList<TensorSpec> inputs, int seed) => new RandomSamples(inputs, seed);

    /// <summary>An Open Inference Protocol JSON request body, sent as is whatever the sample count.</summary>
    public static SampleSource RequestFile(byte[] body) => new FileSamples(body);

    private sealed class FileSamples(byte[] body) : SampleSource
    {
        public override object CreateQuery(IBenchTarget target, int samples) => target.PrepareRequestBody(body);
    }

    /// <summary>
    /// A leading -1 is the batch dimension and takes the sample count; any other -1 is taken as 1. Floats are uniform
    /// in [0, 1), integers 0 or 1 (valid indices for any lookup), booleans random, strings "x", BF16 zero.
    /// </summary>
    private sealed class RandomSamples(IReadOnlyList<TensorSpec> inputs, int seed) : SampleSource
    {
        public override object CreateQuery(IBenchTarget target, int samples)
        {
            var random = new System.Random(seed + samples);
            var tensors = new List<InferenceTensor>(inputs.Count);
            foreach (var spec in inputs)
            {
                var shape = spec.Shape.Select((d, i) => d >= 0 ? d : i == 0 ? samples : 1).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                tensors.Add(spec.DataType switch
                {
                    DataType.Fp32 => InferenceTensor.Create(spec.Name, Fill(count, () => random.NextSingle()), shape),
                    DataType.Fp64 => InferenceTensor.Create(spec.Name, Fill(count, random.NextDouble), shape),
                    DataType.Fp16 => InferenceTensor.Create(spec.Name, Fill(count, () => (Half)random.NextSingle()), shape),
                    DataType.Int8 => InferenceTensor.Create(spec.Name, Fill(count, () => (sbyte)random.Next(2)), shape),
                    DataType.Int16 => InferenceTensor.Create(spec.Name, Fill(count, () => (short)random.Next(2)), shape),
                    DataType.Int32 => InferenceTensor.Create(spec.Name, Fill(count, () => random.Next(2)), shape),
                    DataType.Int64 => InferenceTensor.Create(spec.Name, Fill(count, () => (long)random.Next(2)), shape),
                    DataType.UInt8 => InferenceTensor.Create(spec.Name, Fill(count, () => (byte)random.Next(2)), shape),
                    DataType.UInt16 => InferenceTensor.Create(spec.Name, Fill(count, () => (ushort)random.Next(2)), shape),
                    DataType.UInt32 => InferenceTensor.Create(spec.Name, Fill(count, () => (uint)random.Next(2)), shape),
                    DataType.UInt64 => InferenceTensor.Create(spec.Name, Fill(count, () => (ulong)random.Next(2)), shape),
                    DataType.Bool => InferenceTensor.Create(spec.Name, Fill(count, () => random.Next(2) == 1), shape),
                    DataType.Bytes => InferenceTensor.CreateStrings(spec.Name, Fill(count, () => "x"), shape),
                    _ => InferenceTensor.FromRaw(spec.Name, spec.DataType, shape, new byte[count * spec.DataType.ElementSize()]),
                });
            }

            return target.Prepare(tensors);
        }

        private static T[] Fill<T>(int count, Func<T> next)
        {
            var values = new T[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = next();
            }

            return values;
        }
    }
}
