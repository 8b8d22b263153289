using System.Runtime.InteropServices;
using Augur.Caching;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Core.Tests.Caching;

/// <summary>The key material: what makes two requests the same question, hashed and compared alike.</summary>
public sealed class RequestKeyTests
{
    private static readonly byte[] Version = "m\n1\nABC"u8.ToArray();

    private static readonly ModelSignature Signature = new(
        [new TensorSpec("a", DataType.Fp32, [-1, -1]), new TensorSpec("b", DataType.Int32, [-1, -1])],
        [new TensorSpec("ya", DataType.Fp32, [-1, -1]), new TensorSpec("yb", DataType.Int32, [-1, -1])]);

    private static readonly byte[] Bytes = MemoryMarshal.AsBytes(new float[] { 1, 2, 3, 4, 5, 6 }.AsSpan()).ToArray();

    private static InferenceTensor A(DataType type = DataType.Fp32, params long[] shape) =>
        InferenceTensor.FromRaw("a", type, shape.Length == 0 ? [2, 3] : shape, Bytes);

    private static InferenceTensor B() => InferenceTensor.Create("b", new[] { 7, 8 }, 1, 2);

    private static (UInt128 Hash, byte[] Material) Key(InferenceRequest request)
    {
        var order = new int[request.Inputs.Count];
        RequestKey.Order(request.Inputs, order);
        return (RequestKey.Hash(Version, request, order, Signature), RequestKey.Material(request, order, Signature));
    }

    private static bool Matches(byte[] material, InferenceRequest request)
    {
        var order = new int[request.Inputs.Count];
        RequestKey.Order(request.Inputs, order);
        return RequestKey.Matches(material, request, order, Signature);
    }

    public static TheoryData<string, InferenceRequest> Variants => new()
    {
        { "another shape", new InferenceRequest("m", [A(DataType.Fp32, 3, 2), B()]) },
        { "another datatype", new InferenceRequest("m", [A(DataType.Int32), B()]) },
        { "another input's bytes", new InferenceRequest("m", [A(), InferenceTensor.Create("b", new[] { 7, 9 }, 1, 2)]) },
        { "a renamed input", new InferenceRequest("m", [A().WithName("c"), B()]) },
        { "one output asked for", new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["ya"] } },
        { "a precomputed key", new InferenceRequest("m", [A(), B()]) { PredictionKey = "k" } },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void The_same_bytes_asked_differently_are_another_key(string variant, InferenceRequest other)
    {
        var (hash, material) = Key(new InferenceRequest("m", [A(), B()]));
        var (otherHash, otherMaterial) = Key(other);

        Assert.NotEqual(hash, otherHash);
        Assert.False(Matches(material, other), variant);
        Assert.False(Matches(otherMaterial, new InferenceRequest("m", [A(), B()])), variant);
    }

    [Fact]
    public void Input_order_and_requested_output_order_do_not_change_the_key()
    {
        var first = new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["ya", "yb"] };
        var second = new InferenceRequest("m", [B(), A()]) { RequestedOutputs = ["yb", "ya"] };

        var (hash, material) = Key(first);

        Assert.Equal(hash, Key(second).Hash);
        Assert.Equal(material, Key(second).Material);
        Assert.True(Matches(material, second));
    }

    [Fact]
    public void Id_priority_and_timeout_do_not_change_the_key()
    {
        var plain = new InferenceRequest("m", [A(), B()]);
        var decorated = new InferenceRequest("m", [A(), B()]) { Id = "x", Priority = 2, Timeout = TimeSpan.FromSeconds(1) };

        Assert.Equal(Key(plain).Hash, Key(decorated).Hash);
        Assert.Equal(Key(plain).Material, Key(decorated).Material);
    }

    [Fact]
    public void A_material_that_differs_in_its_last_byte_or_length_does_not_match()
    {
        var request = new InferenceRequest("m", [A(), B()]);
        var material = Key(request).Material;
        var changed = material.ToArray();
        changed[^1] ^= 1;

        Assert.True(Matches(material, request));
        Assert.False(Matches(changed, request));
        Assert.False(Matches(material[..^1], request));
        Assert.False(Matches([.. material, 0], request));
    }

    [Fact]
    public void Large_inputs_and_many_inputs_hash_and_compare_alike()
    {
        // Past the encoder's buffer and past the stack's input count: the bytes the sinks see do not depend on either.
        var inputs = Enumerable.Range(0, RequestKey.StackInputs + 3)
            .Select(i => InferenceTensor.Create($"in{i:D2}", Enumerable.Range(0, 1000 + i).Select(v => (float)v).ToArray()))
            .ToArray();
        var forward = new InferenceRequest("m", inputs);
        var backward = new InferenceRequest("m", inputs.Reverse().ToArray());

        var (hash, material) = Key(forward);

        Assert.Equal(hash, Key(backward).Hash);
        Assert.True(Matches(material, backward));
    }
}
