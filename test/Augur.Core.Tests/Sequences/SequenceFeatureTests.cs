using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Sequences;

/// <summary>Windows of past inputs and windowed aggregates, checked exactly against hand-computed values.</summary>
public sealed class SequenceFeatureTests : IDisposable
{
    private const string Sequencing = """
        {"max_batch_size": 8, "instance_count": 1, "warmup": {"iterations": 0},
         "sequence_batching": {
           "max_sequence_idle_microseconds": 60000000,
           "window": [{"input_name": "history", "source": "x", "length": 3}],
           "features": [{"input_name": "stats", "source": "x", "aggregates": ["count", "mean", "min", "max"], "last_readings": 3},
                        {"input_name": "recent", "source": "x", "aggregates": ["count", "mean"], "last_seconds": 2}]}}
        """;

    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _repository.Dispose();

    /// <summary>Echoes what the engine fed it, so the test sees the window and the aggregates.</summary>
    private static FakeModelSpec Echoing() => FakeModelSpec.Identity(
        [
            new TensorSpec("x", DataType.Fp32, [-1, 2]),
            new TensorSpec("history", DataType.Fp32, [-1, 3, 2]),
            new TensorSpec("stats", DataType.Fp32, [-1, 8]),
            new TensorSpec("recent", DataType.Fp32, [-1, 4]),
        ],
        ["y", "history_out", "stats_out", "recent_out"]);

    private static InferenceRequest Reading(string sequence, float value, bool start = false) =>
        new("sensor", [InferenceTensor.Create("x", new[] { value, value * 10 }, 1, 2)]) { Sequence = new SequenceControl(sequence, start) };

    [Fact]
    public async Task Windows_and_aggregates_cover_exactly_the_configured_readings_per_sequence()
    {
        _repository.AddModel("sensor").WriteConfig("sensor", Sequencing);
        _backend.Register("sensor", Echoing());
        await using var engine = await BuildAsync(_repository, _backend, _time);
        Assert.Equal(["x"], engine.Metadata("sensor").Signature.Inputs.Select(i => i.Name));

        var a1 = await engine.InferOk(Reading("a", 5, start: true));
        var b1 = await engine.InferOk(Reading("b", 100, start: true));
        Assert.Equal([0, 0, 0, 0, 5, 50], a1["history_out"].ToArray<float>());
        Assert.Equal([1, 1, 5, 50, 5, 50, 5, 50], a1["stats_out"].ToArray<float>());
        Assert.Equal([1, 1, 5, 50], a1["recent_out"].ToArray<float>());
        Assert.Equal([0, 0, 0, 0, 100, 1000], b1["history_out"].ToArray<float>());
        Assert.Equal([1, 1, 100, 1000, 100, 1000, 100, 1000], b1["stats_out"].ToArray<float>());

        _time.Advance(TimeSpan.FromSeconds(1));
        var a2 = await engine.InferOk(Reading("a", 1));
        Assert.Equal([0, 0, 5, 50, 1, 10], a2["history_out"].ToArray<float>());
        Assert.Equal([2, 2, 3, 30, 1, 10, 5, 50], a2["stats_out"].ToArray<float>());
        Assert.Equal([2, 2, 3, 30], a2["recent_out"].ToArray<float>());

        _time.Advance(TimeSpan.FromSeconds(1));
        var a3 = await engine.InferOk(Reading("a", 9));
        Assert.Equal([5, 50, 1, 10, 9, 90], a3["history_out"].ToArray<float>());
        Assert.Equal([3, 3, 5, 50, 1, 10, 9, 90], a3["stats_out"].ToArray<float>());

        // The reading of 5 arrived exactly 2 s before: still in the last two seconds.
        Assert.Equal([3, 3, 5, 50], a3["recent_out"].ToArray<float>());

        _time.Advance(TimeSpan.FromSeconds(1.5));
        var a4 = await engine.InferOk(Reading("a", 3));
        Assert.Equal([1, 10, 9, 90, 3, 30], a4["history_out"].ToArray<float>());
        Assert.Equal([3, 3, 13f / 3, 130f / 3, 1, 10, 9, 90], a4["stats_out"].ToArray<float>());

        // 9 (1.5 s old) and 3 are in the last two seconds; 1 (2.5 s old) is not.
        Assert.Equal([2, 2, 6, 60], a4["recent_out"].ToArray<float>());

        // b's window never saw a's readings.
        var b2 = await engine.InferOk(Reading("b", 200));
        Assert.Equal([0, 0, 100, 1000, 200, 2000], b2["history_out"].ToArray<float>());
        Assert.Equal([2, 2, 150, 1500, 100, 1000, 200, 2000], b2["stats_out"].ToArray<float>());
        Assert.Equal([1, 1, 200, 2000], b2["recent_out"].ToArray<float>());
    }

    [Fact]
    public async Task A_restart_clears_the_window()
    {
        _repository.AddModel("sensor").WriteConfig("sensor", Sequencing);
        _backend.Register("sensor", Echoing());
        await using var engine = await BuildAsync(_repository, _backend, _time);

        await engine.InferOk(Reading("a", 5, start: true));
        await engine.InferOk(Reading("a", 6));
        var restarted = await engine.InferOk(Reading("a", 7, start: true));
        Assert.Equal([0, 0, 0, 0, 7, 70], restarted["history_out"].ToArray<float>());
        Assert.Equal([1, 1, 7, 70, 7, 70, 7, 70], restarted["stats_out"].ToArray<float>());
    }
}
