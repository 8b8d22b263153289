using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;

namespace Augur.Core.Tests.Sequences;

/// <summary>Fake sequence models and requests for the sequence batching tests.</summary>
internal static class SequenceHarness
{
    /// <summary>A running sum: <c>y = state_out = state_in + x</c>, with x and the state FP32 [-1,1].</summary>
    public static readonly ModelSignature SumSignature = new(
        [new TensorSpec("x", DataType.Fp32, [-1, 1]), new TensorSpec("state_in", DataType.Fp32, [-1, 1])],
        [new TensorSpec("y", DataType.Fp32, [-1, 1]), new TensorSpec("state_out", DataType.Fp32, [-1, 1])]);

    public const string SumState = "\"state\": [{\"input_name\": \"state_in\", \"output_name\": \"state_out\", \"datatype\": \"FP32\", \"dims\": [1]}]";

    /// <summary>The running sum's results for a batch; <paramref name="gate"/>, when given, is awaited first.</summary>
    public static FakeModelSpec Sum(Func<FakeCall, Task>? gate = null) => FakeModelSpec.Custom(SumSignature, async call =>
    {
        if (gate is not null)
        {
            await gate(call);
        }

        var results = call.Batch.Select(request =>
        {
            var sum = request.FindInput("x")!.AsSpan<float>()[0] + request.FindInput("state_in")!.AsSpan<float>()[0];
            return (IReadOnlyList<InferenceTensor>)[InferenceTensor.Create("y", new[] { sum }, 1, 1), InferenceTensor.Create("state_out", new[] { sum }, 1, 1)];
        }).ToArray();
        return BatchResult.Success(results, FakeModelSpec.DefaultTimings);
    });

    /// <summary>config.json of a one-instance batching model without warm-up, with a <c>sequence_batching</c> body.</summary>
    public static string Config(string sequencing, string batching = """{"max_queue_delay_microseconds": 0}""") =>
        $$"""{"max_batch_size": 8, "instance_count": 1, "warmup": {"iterations": 0}, "dynamic_batching": {{batching}}, "sequence_batching": {""" + sequencing + "}}";

    public static InferenceRequest Step(string sequence, float x, bool start = false, bool end = false, string model = "sum", string? id = null) =>
        new(model, [InferenceTensor.Create("x", new[] { x }, 1, 1)]) { Sequence = new SequenceControl(sequence, start, end), Id = id ?? $"{sequence}:{x}" };

    public static float Y(this InferenceResponse response, string output = "y") => response[output].AsSpan<float>()[0];
}
