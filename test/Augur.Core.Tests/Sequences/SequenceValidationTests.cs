using Augur.Errors;
using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Sequences.SequenceHarness;

namespace Augur.Core.Tests.Sequences;

public sealed class SequenceValidationTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();

    public void Dispose() => _repository.Dispose();

    private Task<InferenceEngine> StartAsync()
    {
        _repository.AddModel("sum").WriteConfig("sum", Config(SumState)).AddModel("echo").WriteConfig("echo", NoWarmup);
        _backend.Register("sum", Sum()).Register("echo", Echo());
        return BuildAsync(_repository, _backend, new FakeTimeProvider());
    }

    private static async Task AssertInvalid(InferenceEngine engine, InferenceRequest request, string message)
    {
        var error = await engine.InferError(request);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task A_sequence_step_for_a_model_without_sequence_batching_is_refused()
    {
        await using var engine = await StartAsync();
        await AssertInvalid(engine, EchoRequest() is var r ? new InferenceRequest("echo", r.Inputs) { Sequence = new SequenceControl("7", Start: true) } : null!,
            "model 'echo' does not keep sequences (no sequence_batching in its config.json); send sequence_id, sequence_start and sequence_end only to a stateful model");
    }

    [Fact]
    public async Task A_request_without_a_sequence_id_is_refused_by_a_sequence_model()
    {
        await using var engine = await StartAsync();
        await AssertInvalid(engine, new InferenceRequest("sum", [InferenceTensor.Create("x", new[] { 1f }, 1, 1)]),
            "model 'sum' is a stateful sequence model: every request needs a sequence_id (and sequence_start on its first step)");
        await AssertInvalid(engine, Step("", 1, start: true), "sequence_id for model 'sum' must not be empty");
    }

    [Fact]
    public async Task A_step_of_an_unknown_sequence_without_start_is_refused()
    {
        await using var engine = await StartAsync();
        await AssertInvalid(engine, Step("ghost", 1),
            "sequence 'ghost' of model 'sum' is unknown or expired (idle for more than 1 s); its first step must carry sequence_start");
    }

    [Fact]
    public async Task State_inputs_sent_by_the_client_are_refused()
    {
        await using var engine = await StartAsync();
        var request = new InferenceRequest("sum", [InferenceTensor.Create("x", new[] { 1f }, 1, 1), InferenceTensor.Create("state_in", new[] { 99f }, 1, 1)])
        {
            Sequence = new SequenceControl("a", Start: true),
        };
        await AssertInvalid(engine, request, "input 'state_in' of model 'sum' is fed by the engine from the sequence (sequence_batching.state); the request must not send it");
    }

    [Fact]
    public async Task A_step_of_several_samples_is_refused()
    {
        await using var engine = await StartAsync();
        var request = new InferenceRequest("sum", [InferenceTensor.Create("x", new[] { 1f, 2f }, 2, 1)]) { Sequence = new SequenceControl("a", Start: true) };
        await AssertInvalid(engine, request, "sequence 'a' of model 'sum': a step carries one sample (batch size 1), not 2");
    }

    [Fact]
    public async Task A_missing_client_input_is_named_and_state_inputs_are_not_asked_for()
    {
        await using var engine = await StartAsync();
        await AssertInvalid(engine, new InferenceRequest("sum", []) { Sequence = new SequenceControl("a", Start: true) },
            "missing input 'x' (FP32 [-1,1]) for model 'sum'");
    }

    [Theory]
    [InlineData("\"state\": [{\"input_name\": \"nope\", \"output_name\": \"state_out\", \"datatype\": \"FP32\", \"dims\": [1]}]",
        "sequence_batching.state names input 'nope', which the model does not have")]
    [InlineData("\"state\": [{\"input_name\": \"state_in\", \"output_name\": \"state_out\", \"datatype\": \"FP32\", \"dims\": [2]}]",
        "sequence_batching.state declares input 'state_in' as FP32 [-1,2], but the model has state_in: FP32 [-1,1]")]
    [InlineData("\"features\": [{\"input_name\": \"state_in\", \"source\": \"nope\", \"aggregates\": [\"mean\"], \"last_readings\": 2}]",
        "sequence_batching.features reads input 'nope', which is not a client input of the model; its inputs are: x")]
    [InlineData("\"window\": [{\"input_name\": \"state_in\", \"source\": \"x\", \"length\": 3}]",
        "sequence_batching.window feeds input 'state_in' (state_in: FP32 [-1,1]) 3 × 1 FP32 values; the input must be FP32 with that many elements per sample")]
    [InlineData("\"features\": [{\"input_name\": \"state_in\", \"source\": \"x\", \"aggregates\": [\"median\"], \"last_readings\": 2}]",
        "config.json: sequence_batching.features.aggregates: \"median\" is not one of \"count\", \"mean\", \"min\", \"max\"")]
    [InlineData("\"features\": [{\"input_name\": \"state_in\", \"source\": \"x\", \"aggregates\": [\"mean\"]}]",
        "config.json: each entry of 'sequence_batching.features' needs 'last_readings', 'last_seconds' or both")]
    [InlineData("\"max_sequences\": 0", "config.json: sequence_batching.max_sequences must be an integer ≥ 1, not 0")]
    [InlineData("\"idle\": 5", "config.json: unknown setting 'sequence_batching.idle'")]
    public async Task A_sequence_config_that_disagrees_with_the_model_leaves_it_unavailable_with_the_reason(string sequencing, string reason)
    {
        _repository.AddModel("sum").WriteConfig("sum", Config(sequencing));
        _backend.Register("sum", Sum());
        await using var engine = await BuildAsync(_repository, _backend, new FakeTimeProvider());

        var status = engine.Status("sum");
        Assert.Equal(Augur.Models.ModelState.Unavailable, status.State);
        Assert.Contains(reason, status.Reason);
    }

    [Fact]
    public async Task A_model_that_does_not_batch_keeps_state_of_its_own_shape()
    {
        var signature = new Augur.Models.ModelSignature(
            [new Augur.Models.TensorSpec("x", DataType.Fp32, [1]), new Augur.Models.TensorSpec("state_in", DataType.Fp32, [1])],
            [new Augur.Models.TensorSpec("y", DataType.Fp32, [1]), new Augur.Models.TensorSpec("state_out", DataType.Fp32, [1])]);
        var spec = FakeModelSpec.Custom(signature, call =>
        {
            var request = Assert.Single(call.Batch);
            Assert.Equal([1L], request.FindInput("state_in")!.Shape.ToArray());
            var sum = request.FindInput("x")!.AsSpan<float>()[0] + request.FindInput("state_in")!.AsSpan<float>()[0];
            return ValueTask.FromResult(Augur.Backends.BatchResult.Success([[InferenceTensor.Create("y", new[] { sum }, 1), InferenceTensor.Create("state_out", new[] { sum }, 1)]], FakeModelSpec.DefaultTimings));
        });
        _repository.AddModel("plain").WriteConfig("plain", "{\"max_batch_size\": 0, \"warmup\": {\"iterations\": 0}, \"sequence_batching\": {" + SumState + "}}");
        _backend.Register("plain", spec);
        await using var engine = await BuildAsync(_repository, _backend, new FakeTimeProvider());

        InferenceRequest Step(float x, bool start = false) => new("plain", [InferenceTensor.Create("x", new[] { x }, 1)]) { Sequence = new SequenceControl("s", start) };
        Assert.Equal(2, (await engine.InferOk(Step(2, start: true))).Y());
        Assert.Equal(5, (await engine.InferOk(Step(3))).Y());
    }
}
