using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// <c>hash_buckets</c>: BYTES [B, K] → INT64 [B, K], element-wise <c>murmur3_32(bytes, seed) mod buckets</c> with the
/// 32-bit hash read as unsigned. Settings <c>buckets</c> (required, ≥ 1) and <c>seed</c> (uint32, default 0). Into an
/// embedding bag of a sparse linear head it gives each row's buckets as counts instead (design note 0017).
/// </summary>
internal sealed class HashBucketsFeaturizer : IBucketCountsFeaturizer
{
    public const string Name = "hash_buckets";

    public HashBucketsFeaturizer(FeaturizerSettings settings)
    {
        Buckets = settings.Int("buckets", 1, int.MaxValue);
        Seed = settings.Seed("seed");
    }

    public string Kind => Name;

    public int Buckets { get; }

    public uint Seed { get; }

    /// <summary>The bucket of one value.</summary>
    public long Bucket(ReadOnlySpan<byte> value) => MurmurHash3.Hash32(value, Seed) % (uint)Buckets;

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Int64;
        shape = null;
        problem = FeaturizerInputs.Count(Kind, inputs, 1) ?? FeaturizerInputs.Matrix(Kind, inputs[0], [DataType.Bytes]);
        if (problem is not null)
        {
            return false;
        }

        shape = [-1, inputs[0].Shape[1]];
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        var input = inputs[0];
        var data = new byte[checked((long)input.ElementCount * sizeof(long))];
        Fill(input, MemoryMarshal.Cast<byte, long>(data.AsSpan()));
        result = InferenceTensor.FromRaw(output, DataType.Int64, input.Shape.ToArray(), data);
        return true;
    }

    /// <summary>Each row's buckets with their counts, the same buckets <see cref="TryRun"/> gives (<see cref="SparseRows.FromIds"/> of them).</summary>
    public bool TryRunCounts(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? counts, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        var input = inputs[0];
        var buckets = new long[input.ElementCount];
        Fill(input, buckets);
        counts = SparseRows.FromIds(buckets, (int)input.Shape[0], Buckets);
        return true;
    }

    private void Fill(InferenceTensor input, Span<long> buckets)
    {
        var values = input.GetBytesElements();
        for (var i = 0; i < values.Length; i++)
        {
            buckets[i] = Bucket(values[i].Span);
        }
    }
}
