using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Engine;

public sealed class EngineValidationTests : IAsyncLifetime
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private InferenceEngine _engine = null!;

    public async Task InitializeAsync()
    {
        // pair: a FP32 [-1,3], b INT64 [-1,1] → a_out, b_out; batches up to 4.
        _repository.AddModel("pair").WriteConfig("pair", """{"max_batch_size": 4, "warmup": {"iterations": 0}}""");
        _backend.Register("pair", FakeModelSpec.Identity(
            [new TensorSpec("a", DataType.Fp32, [-1, 3]), new TensorSpec("b", DataType.Int64, [-1, 1])],
            ["a_out", "b_out"]));

        // fixed: x FP32 [2,-1], not batching.
        _repository.AddModel("fixed").WriteConfig("fixed", NoWarmup);
        _backend.Register("fixed", FakeModelSpec.Identity("x", "y", DataType.Fp32, 2, -1));
        _engine = await BuildAsync(_repository, _backend);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync().AsTask().WaitAsync(TestTimeout);
        _repository.Dispose();
    }

    private static InferenceTensor A(long batch, string name = "a") => InferenceTensor.Create(name, new float[batch * 3], batch, 3);

    private static InferenceTensor B(long batch) => InferenceTensor.Create("b", Enumerable.Range(1, (int)batch).Select(i => (long)i).ToArray(), batch, 1);

    private static InferenceRequest Pair(params InferenceTensor[] inputs) => new("pair", inputs);

    private async Task<string> Rejected(InferenceRequest request)
    {
        var error = await _engine.InferError(request);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(0, _backend.Model(request.ModelName).ExecutionCount);
        return error.Message;
    }

    [Fact]
    public async Task ValidRequest_Succeeds()
    {
        var response = await _engine.InferOk(Pair(A(2), B(2)));

        Assert.Equal(["a_out", "b_out"], response.Outputs.Select(o => o.Name));
        Assert.Equal([1L, 2L], response["b_out"].ToArray<long>());
    }

    [Fact]
    public async Task UnknownInput_IsNamed()
    {
        var message = await Rejected(Pair(A(1), B(1), A(1, "zzz")));

        Assert.Equal("model 'pair' has no input 'zzz'; its inputs are: a, b", message);
    }

    [Fact]
    public async Task MissingInput_IsNamed()
    {
        var message = await Rejected(Pair(A(1)));

        Assert.Equal("missing input 'b' (INT64 [-1,1]) for model 'pair'", message);
    }

    [Fact]
    public async Task DuplicateInput_IsNamed()
    {
        var message = await Rejected(Pair(A(1), B(1), A(1)));

        Assert.Equal("input 'a' appears more than once", message);
    }

    [Fact]
    public async Task WrongDatatype_IsNamed()
    {
        var message = await Rejected(Pair(InferenceTensor.Create("a", new double[3], 1, 3), B(1)));

        Assert.Equal("input 'a' has datatype FP64 but model 'pair' expects FP32", message);
    }

    [Theory]
    [InlineData(new long[] { 1, 4 }, "[1,4]")]
    [InlineData(new long[] { 3 }, "[3]")]
    [InlineData(new long[] { 1, 3, 1 }, "[1,3,1]")]
    public async Task WrongShape_IsNamed(long[] shape, string formatted)
    {
        TensorShape.TryGetElementCount(shape, out var count, out _);
        var message = await Rejected(Pair(InferenceTensor.Create("a", new float[count], shape), B(1)));

        Assert.Equal($"input 'a' has shape {formatted} but model 'pair' expects [-1,3]", message);
    }

    [Fact]
    public async Task WrongShape_OnAModelThatDoesNotBatch_IsNamed()
    {
        var message = await Rejected(new("fixed", [InferenceTensor.Create("x", new float[6], 3, 2)]));

        Assert.Equal("input 'x' has shape [3,2] but model 'fixed' expects [2,-1]", message);
    }

    [Fact]
    public async Task ModelThatDoesNotBatch_TakesItsShapeAsGiven()
    {
        var response = await _engine.InferOk(new("fixed", [InferenceTensor.Create("x", new float[10], 2, 5)]));

        Assert.Equal([2L, 5L], response["y"].Shape.ToArray());
    }

    [Fact]
    public async Task BatchOverTheMaximum_IsNamed()
    {
        var message = await Rejected(Pair(A(5), B(5)));

        Assert.Equal("input 'a' has batch size 5 but model 'pair' accepts at most 4", message);
    }

    [Fact]
    public async Task InconsistentBatch_NamesBothInputs()
    {
        var message = await Rejected(Pair(A(2), B(3)));

        Assert.Equal("inputs disagree on the batch size: 'a' has 2, 'b' has 3", message);
    }

    [Fact]
    public async Task BatchOfZero_IsRejected()
    {
        var message = await Rejected(Pair(A(0), B(0)));

        Assert.Equal("input 'a' has batch size 0; a request needs at least one sample", message);
    }

    [Fact]
    public async Task UnknownRequestedOutput_IsNamed()
    {
        var message = await Rejected(new InferenceRequest("pair", [A(1), B(1)]) { RequestedOutputs = ["a_out", "c_out"] });

        Assert.Equal("model 'pair' has no output 'c_out'; its outputs are: a_out, b_out", message);
    }

    [Fact]
    public async Task DuplicateRequestedOutput_IsNamed()
    {
        var message = await Rejected(new InferenceRequest("pair", [A(1), B(1)]) { RequestedOutputs = ["b_out", "a_out", "b_out"] });

        Assert.Equal("output 'b_out' is requested more than once", message);
    }

    [Fact]
    public async Task RequestedOutputs_AreReturnedInRequestedOrder()
    {
        var a = InferenceTensor.Create("a", new float[] { 1, 2, 3 }, 1, 3);
        var b = InferenceTensor.Create("b", new long[] { 9 }, 1, 1);

        var both = await _engine.InferOk(new InferenceRequest("pair", [b, a]) { RequestedOutputs = ["b_out", "a_out"] });
        var one = await _engine.InferOk(new InferenceRequest("pair", [a, b]) { RequestedOutputs = ["b_out"] });
        var all = await _engine.InferOk(new InferenceRequest("pair", [b, a]));

        Assert.Equal(["b_out", "a_out"], both.Outputs.Select(o => o.Name));
        Assert.Equal([9L], both.Outputs[0].ToArray<long>());
        Assert.Equal([1f, 2f, 3f], both.Outputs[1].ToArray<float>());
        Assert.Equal(["b_out"], one.Outputs.Select(o => o.Name));
        Assert.Equal(["a_out", "b_out"], all.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task FirstProblemWins_InInputOrder()
    {
        var message = await Rejected(Pair(InferenceTensor.Create("b", new int[1], 1, 1), A(1, "zzz")));

        Assert.Equal("input 'b' has datatype INT32 but model 'pair' expects INT64", message);
    }
}
