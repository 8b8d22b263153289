using Augur.Models;
using Augur.Tensors;

namespace Augur.Core.Tests.Models;

public sealed class SignatureResolverTests
{
    private static readonly ModelSignature Batchable = new(
        [new TensorSpec("x", DataType.Fp32, [-1, -1]), new TensorSpec("ids", DataType.Int64, [-1])],
        [new TensorSpec("y", DataType.Fp32, [-1, 1])]);

    private static readonly ModelSignature Fixed = new(
        [new TensorSpec("x", DataType.Fp32, [1, 3])],
        [new TensorSpec("y", DataType.Fp32, [-1, 3])]);

    [Fact]
    public void NoConfig_BatchableGraph_GetsTheDefaultBatchSize()
    {
        Assert.True(SignatureResolver.TryResolve(Batchable, ModelConfig.Empty, out var signature, out var maxBatchSize, out var problem));

        Assert.Null(problem);
        Assert.Equal(64, maxBatchSize);
        Assert.Equal(ModelConfig.DefaultMaxBatchSize, maxBatchSize);
        AssertSameSignature(Batchable, signature);
    }

    [Fact]
    public void NoConfig_FixedFirstDimension_DoesNotBatch()
    {
        Assert.True(SignatureResolver.TryResolve(Fixed, ModelConfig.Empty, out var signature, out var maxBatchSize, out _));

        Assert.Equal(0, maxBatchSize);
        AssertSameSignature(Fixed, signature);
    }

    [Fact]
    public void NoConfig_ScalarTensor_DoesNotBatch()
    {
        var graph = new ModelSignature([new TensorSpec("x", DataType.Fp32, [])], [new TensorSpec("y", DataType.Fp32, [-1])]);

        Assert.True(SignatureResolver.TryResolve(graph, ModelConfig.Empty, out _, out var maxBatchSize, out _));
        Assert.Equal(0, maxBatchSize);
    }

    [Fact]
    public void NoConfig_FixedOutputOnly_DoesNotBatch()
    {
        var graph = new ModelSignature([new TensorSpec("x", DataType.Fp32, [-1, 2])], [new TensorSpec("y", DataType.Fp32, [1])]);

        Assert.True(SignatureResolver.TryResolve(graph, ModelConfig.Empty, out _, out var maxBatchSize, out _));
        Assert.Equal(0, maxBatchSize);
    }

    [Fact]
    public void ConfiguredMaxBatchSize_IsUsed()
    {
        Assert.True(SignatureResolver.TryResolve(Batchable, new ModelConfig { MaxBatchSize = 8 }, out _, out var maxBatchSize, out _));
        Assert.Equal(8, maxBatchSize);
    }

    [Fact]
    public void ConfiguredZero_TurnsBatchingOff()
    {
        Assert.True(SignatureResolver.TryResolve(Batchable, new ModelConfig { MaxBatchSize = 0 }, out var signature, out var maxBatchSize, out _));
        Assert.Equal(0, maxBatchSize);
        AssertSameSignature(Batchable, signature);
    }

    [Fact]
    public void MaxBatchSize_OnAGraphWithoutBatchDimension_NamesTheTensor()
    {
        Assert.False(SignatureResolver.TryResolve(Fixed, new ModelConfig { MaxBatchSize = 4 }, out _, out _, out var problem));
        Assert.Equal("max_batch_size 4 needs a dynamic first dimension on every input and output, but x: FP32 [1,3] has none", problem);
    }

    [Fact]
    public void DeclaredDims_NarrowADynamicDimension_BatchDimensionAdded()
    {
        var config = new ModelConfig { Inputs = [new TensorConfig("x", DataType.Fp32, [4])] };

        Assert.True(SignatureResolver.TryResolve(Batchable, config, out var signature, out var maxBatchSize, out _));

        Assert.Equal(64, maxBatchSize);
        Assert.Equal([-1L, 4L], signature.FindInput("x")!.Shape);
        Assert.Equal([-1L], signature.FindInput("ids")!.Shape);
        Assert.Equal([-1L, 1L], signature.FindOutput("y")!.Shape);
        Assert.Equal(["x", "ids"], signature.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void DeclaredDims_WithoutBatching_AreTheFullShape()
    {
        var config = new ModelConfig { MaxBatchSize = 0, Inputs = [new TensorConfig("x", DataType.Fp32, [2, 4])] };

        Assert.True(SignatureResolver.TryResolve(Batchable, config, out var signature, out _, out _));
        Assert.Equal([2L, 4L], signature.FindInput("x")!.Shape);
    }

    [Fact]
    public void DeclaredOutputDims_AreApplied()
    {
        var config = new ModelConfig { Outputs = [new TensorConfig("y", DataType.Fp32, [1])] };

        Assert.True(SignatureResolver.TryResolve(Batchable, config, out var signature, out _, out _));
        Assert.Equal([-1L, 1L], signature.FindOutput("y")!.Shape);
    }

    [Fact]
    public void DeclaredDims_ContradictingAFixedDimension_AreRejected()
    {
        var config = new ModelConfig { Outputs = [new TensorConfig("y", DataType.Fp32, [2])] };

        Assert.False(SignatureResolver.TryResolve(Batchable, config, out _, out _, out var problem));
        Assert.Equal("config.json declares output 'y' with shape [-1,2] (batch dimension included), but the model has [-1,1]", problem);
    }

    [Fact]
    public void DeclaredDims_OfTheWrongRank_AreRejected()
    {
        var config = new ModelConfig { MaxBatchSize = 0, Inputs = [new TensorConfig("x", DataType.Fp32, [4])] };

        Assert.False(SignatureResolver.TryResolve(Batchable, config, out _, out _, out var problem));
        Assert.Equal("config.json declares input 'x' with shape [4], but the model has [-1,-1]", problem);
    }

    [Fact]
    public void DeclaredDatatype_MustMatchTheGraph()
    {
        var config = new ModelConfig { Inputs = [new TensorConfig("ids", DataType.Int32, [])] };

        Assert.False(SignatureResolver.TryResolve(Batchable, config, out _, out _, out var problem));
        Assert.Equal("config.json declares input 'ids' as INT32, but the model has INT64", problem);
    }

    [Fact]
    public void DeclaredUnknownTensor_ListsTheGraphsTensors()
    {
        var config = new ModelConfig { Inputs = [new TensorConfig("features", DataType.Fp32, [4])] };

        Assert.False(SignatureResolver.TryResolve(Batchable, config, out _, out _, out var problem));
        Assert.Equal("config.json declares input 'features', but the model's inputs are: x, ids", problem);

        config = new ModelConfig { Outputs = [new TensorConfig("x", DataType.Fp32, [4])] };
        Assert.False(SignatureResolver.TryResolve(Batchable, config, out _, out _, out problem));
        Assert.Equal("config.json declares output 'x', but the model's outputs are: y", problem);
    }

    [Fact]
    public void Resolving_DoesNotMutateTheGraph()
    {
        var config = new ModelConfig { Inputs = [new TensorConfig("x", DataType.Fp32, [4])] };

        Assert.True(SignatureResolver.TryResolve(Batchable, config, out _, out _, out _));
        Assert.Equal([-1L, -1L], Batchable.Inputs[0].Shape);
    }

    private static void AssertSameSignature(ModelSignature expected, ModelSignature actual)
    {
        Assert.Equal(Describe(expected.Inputs), Describe(actual.Inputs));
        Assert.Equal(Describe(expected.Outputs), Describe(actual.Outputs));
    }

    private static string[] Describe(IReadOnlyList<TensorSpec> tensors) => tensors.Select(t => t.ToString()).ToArray();
}
