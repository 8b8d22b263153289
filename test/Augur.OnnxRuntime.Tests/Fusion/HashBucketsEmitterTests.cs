using Augur.OnnxRuntime.Fusion;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class HashBucketsEmitterTests
{
    [Fact]
    public void HashesByHand()
    {
        using var x = FusedGraphs.Strings(["", "hello"], 1, 2);

        // murmur3("") = 0 and murmur3("hello") = 0x248bfa47 = 613153351 with seed 0.
        Assert.Equal([0L, 613153351L % 10], FusedGraphs.Run<long>(Build(10, 0), ("x", x)));
        Assert.Equal([0L, 613153351L], FusedGraphs.Run<long>(Build(1L << 40, 0), ("x", x)));
    }

    [Theory]
    [InlineData(1L, 0u)]
    [InlineData(7L, 42u)]
    [InlineData(4096L, 0xffffffffu)]
    [InlineData(4294967296L, 0x80000000u)]
    public void GivesTheSpecsBuckets(long buckets, uint seed)
    {
        string[] values = ["", "hello", "Hello", "héllo wörld", "😀", "a b", "\t", "0123456789abcdef", "x", "xy", "xyz", "xyzw"];
        using var x = FusedGraphs.Strings(values, 6, 2);

        Assert.Equal(SpecFeaturizers.HashBuckets(values, buckets, seed), FusedGraphs.Run<long>(Build(buckets, seed), ("x", x)));
    }

    [Fact]
    public void ImportsTheMicrosoftDomainOnce()
    {
        var graph = FusedGraphs.New().AddInput("a", DataType.Bytes, -1, 1).AddInput("b", DataType.Bytes, -1, 1);

        HashBucketsEmitter.Emit(graph, "first", "a", "ha", 8, 0);
        HashBucketsEmitter.Emit(graph, "second", "b", "hb", 8, 1);

        Assert.Equal(1, graph.Opsets[FeaturizerOpsets.MicrosoftDomain]);
        Assert.Equal(2, graph.Opsets.Count);
    }

    private static byte[] Build(long buckets, uint seed)
    {
        var graph = FusedGraphs.New().AddInput("x", DataType.Bytes, -1, -1);
        HashBucketsEmitter.Emit(graph, "ids", "x", "y", buckets, seed);
        return graph.AddOutput("y", DataType.Int64, -1, -1).ToBytes();
    }
}
