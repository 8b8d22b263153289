using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using Augur.Tensors;
using Augur.Testing.Fakes;
using static Augur.Streams.Tests.StreamHarness;

namespace Augur.Streams.Tests;

/// <summary>
/// The Redis Streams door gets precomputed predictions like every other: a message whose body carries a prediction_key
/// is answered from the store (here Redis itself, filled as <c>augur predictions publish</c> fills it) and its output says so.
/// </summary>
public sealed class StreamPrecomputedTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly string _input = $"in-{Guid.NewGuid():N}";
    private readonly string _output = $"out-{Guid.NewGuid():N}";
    private readonly string _model = "m" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task A_message_with_a_stored_key_is_answered_from_the_store_and_one_without_by_the_model()
    {
        var source = "unix://" + redis.SocketPath;
        await using (var store = (RedisPredictionStore)PrecomputedStores.Open(source))
        {
            await store.PublishAsync([new StoredPrediction("user-7", "job-1", 0, _model, "1", "{}", """{"y":[42,42,42]}""", PredictionStore.Format(DateTimeOffset.UtcNow))], TimeSpan.Zero).WaitAsync(TestTimeout);
        }

        _repository.AddModel(_model).WriteConfig(_model, $$$"""{"max_batch_size": 8, "warmup": {"iterations": 0}, "precomputed": {"source": "{{{source}}}", "max_age_seconds": 3600}}""");
        var backend = new FakeBackend().Register(_model, FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3));
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(backend)
            .UsePrecomputedPredictions(PrecomputedStores.Open).BuildAsync().WaitAsync(TestTimeout);
        const string Inputs = """[{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]""";
        var keyed = await redis.Db.AddAsync(_input, $$$"""{"id": "keyed", "inputs": {{{Inputs}}}, "parameters": {"prediction_key": "user-7"}}""");
        var plain = await redis.Db.AddAsync(_input, $$"""{"id": "plain", "inputs": {{Inputs}} }""");

        using var stop = new CancellationTokenSource();
        var consumer = new RedisStreamConsumer(engine, redis.Connection, new StreamConsumerOptions
        {
            Model = _model,
            InputStream = _input,
            OutputStream = _output,
            Group = "g",
            Consumer = "c1",
            ClaimMinIdle = ClaimMinIdle,
            PollInterval = TimeSpan.FromMilliseconds(5),
        });
        var running = consumer.RunAsync(stop.Token);
        var outputs = await redis.Db.WaitForEntriesAsync(_output, 2);
        await stop.CancelAsync();
        await running.WaitAsync(TestTimeout);

        var bySource = outputs.ToDictionary(o => o.Field("source_id"), o => o.Json());
        Assert.Equal("precomputed", bySource[keyed].GetProperty("parameters").GetProperty("prediction_source").GetString());
        Assert.Equal("[42,42,42]", bySource[keyed].GetProperty("outputs")[0].GetProperty("data").GetRawText());
        Assert.Equal("model", bySource[plain].GetProperty("parameters").GetProperty("prediction_source").GetString());
        Assert.Equal("[1,2,3]", bySource[plain].GetProperty("outputs")[0].GetProperty("data").GetRawText());
        Assert.Equal(0, backend.Model(_model).Calls.Count(c => c.Batch.Any(r => r.Id == "keyed")));
    }
}
