using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// <c>hash_buckets</c> as ONNX operators: com.microsoft MurmurHash3 (x86 32-bit over the string's bytes, with the
/// seed, <c>positive = 1</c> for a UINT32 result), Cast to INT64, Mod by the bucket count. Element-wise on BYTES [B, K].
/// </summary>
internal static class HashBucketsEmitter
{
    public static void Emit(OnnxGraphBuilder graph, string prefix, string input, string output, long buckets, uint seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        FeaturizerOpsets.RequireMicrosoft(graph);
        var names = new FusionNames(prefix);
        var hashes = Hash(graph, names, input, seed);
        graph.AddNode("Mod", [hashes, graph.AddInitializer(names["buckets"], [buckets])], [output]);
    }

    /// <summary>Appends MurmurHash3 and the Cast to INT64 of its UINT32 result; returns the INT64 hashes' name.</summary>
    internal static string Hash(OnnxGraphBuilder graph, FusionNames names, string input, uint seed)
    {
        // The attribute is an int64; ONNX Runtime keeps its low 32 bits, so a seed above 2^31 is written as itself.
        graph.AddNode(FeaturizerOpsets.MicrosoftDomain, "MurmurHash3", [input], [names["murmur3"]],
            OnnxAttribute.Int("seed", seed), OnnxAttribute.Int("positive", 1));
        graph.AddNode("Cast", [names["murmur3"]], [names["hashes"]], OnnxAttribute.Int("to", OnnxElementTypes.From(DataType.Int64)));
        return names["hashes"];
    }
}
