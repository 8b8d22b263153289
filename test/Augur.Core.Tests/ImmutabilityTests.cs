using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Core.Tests;

/// <summary>What callers hand to the engine cannot change under it afterwards.</summary>
public sealed class ImmutabilityTests
{
    [Fact]
    public void A_tensor_keeps_its_own_copy_of_the_shape()
    {
        long[] shape = [1, 2];
        var tensor = InferenceTensor.Create("x", new float[] { 1, 2 }, shape);

        shape[0] = 64;

        Assert.Equal([1L, 2], tensor.Shape.ToArray());
    }

    [Fact]
    public void A_request_keeps_its_own_copy_of_the_inputs_and_requested_outputs()
    {
        var inputs = new List<InferenceTensor> { InferenceTensor.Create("x", new float[] { 1 }) };
        var outputs = new List<string> { "y" };
        var request = new InferenceRequest("m", inputs) { RequestedOutputs = outputs };

        inputs.Clear();
        outputs.Add("z");

        Assert.Single(request.Inputs);
        Assert.Equal(["y"], request.RequestedOutputs!);
    }

    [Fact]
    public void Specific_version_policy_selects_each_version_once()
    {
        Assert.Equal([2L, 1], new VersionPolicy.Specific([1, 2, 1, 2]).Select([1, 2]));
    }

    [Fact]
    public void Default_result_throws_a_clear_exception_not_a_NullReferenceException()
    {
        var error = Assert.Throws<InferenceException>(() => default(InferenceResult).GetResponseOrThrow());

        Assert.Equal(ErrorCode.Internal, error.Code);
    }
}
