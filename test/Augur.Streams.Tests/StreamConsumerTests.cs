using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing.Fakes;
using StackExchange.Redis;
using static Augur.Streams.Tests.StreamHarness;

namespace Augur.Streams.Tests;

public sealed class StreamConsumerTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly string _repository = CopySamples(SampleModels.Fraud, SampleModels.PumpMonitor);
    private readonly string _input = $"in-{Guid.NewGuid():N}";
    private readonly string _output = $"out-{Guid.NewGuid():N}";

    private IDatabase Db => redis.Db;

    private string DeadLetter => $"{_input}:dead";

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private StreamConsumerOptions Options(string model, string consumer = "c1") => new()
    {
        Model = model,
        InputStream = _input,
        OutputStream = _output,
        Group = "g",
        Consumer = consumer,
        ClaimMinIdle = StreamHarness.ClaimMinIdle,
        ClaimInterval = TimeSpan.FromMilliseconds(20),
        PollInterval = TimeSpan.FromMilliseconds(5),
    };

    private Task<InferenceEngine> OnnxEngineAsync() => new InferenceEngineBuilder().UseModelRepository(_repository).UseOnnxRuntime().BuildAsync().WaitAsync(TestTimeout);

    /// <summary>Runs a consumer until <paramref name="until"/> completes, then stops it and waits for it to drain.</summary>
    private async Task<T> ConsumeAsync<T>(InferenceEngine engine, StreamConsumerOptions options, Func<Task<T>> until, RecordingLogger? log = null)
    {
        using var stop = new CancellationTokenSource();
        var consumer = new RedisStreamConsumer(engine, redis.Connection, options, log);
        var running = consumer.RunAsync(stop.Token);
        try
        {
            return await until();
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TestTimeout);
        }
    }

    [Fact]
    public async Task Each_message_gets_one_output_with_the_engine_s_prediction_and_is_acknowledged()
    {
        await using var engine = await OnnxEngineAsync();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await Db.AddAsync(_input, FraudBody(i)));
        }

        var outputs = await ConsumeAsync(engine, Options(SampleModels.Fraud), () => Db.WaitForEntriesAsync(_output, 20));

        Assert.Equal(ids.Order(), outputs.Select(o => o.Field("source_id")).Order());
        foreach (var output in outputs)
        {
            var i = ids.IndexOf(output.Field("source_id"));
            var json = output.Json();
            Assert.Equal("fraud", json.GetProperty("model_name").GetString());
            Assert.Equal($"m{i}", json.GetProperty("id").GetString());
            var probability = json.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probability").GetProperty("data")[0].GetSingle();
            var direct = await engine.InferAsync(FraudRequest(i));
            Assert.Equal(direct["probability"].AsSpan<float>()[0], probability);
        }

        Assert.Equal(0, await Db.PendingAsync(_input, "g"));
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetter));
    }

    private static InferenceRequest FraudRequest(int i)
    {
        using var body = System.Text.Json.JsonDocument.Parse(FraudBody(i));
        var data = body.RootElement.GetProperty("inputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return new InferenceRequest(SampleModels.Fraud, [InferenceTensor.Create("features", data, 1, 8)]);
    }

    [Fact]
    public async Task Sequence_fields_run_each_pump_s_readings_in_order_with_its_own_state()
    {
        await using var engine = await OnnxEngineAsync();
        var readings = Enumerable.Range(0, 2).Select(p => Enumerable.Range(0, 8).Select(s => new[] { 2f + (p * 3) + (s % 3 * 0.4f) + (s == 7 ? 6 : 0), 60f + s, 4f }).ToArray()).ToArray();
        for (var s = 0; s < 8; s++)
        {
            for (var p = 0; p < 2; p++)
            {
                await Db.AddAsync(_input, ReadingBody(readings[p][s]), ("sequence_id", $"pump-{p}"), ("sequence_start", s == 0 ? "true" : "false"));
            }
        }

        var outputs = await ConsumeAsync(engine, Options(SampleModels.PumpMonitor), () => Db.WaitForEntriesAsync(_output, 16));

        // The same readings, pump by pump, straight through a fresh engine.
        await using var reference = await OnnxEngineAsync();
        for (var p = 0; p < 2; p++)
        {
            var scores = outputs.Where(o => o.Field("sequence_id") == $"pump-{p}")
                .OrderBy(o => (string)o.Field("source_id"), Comparer<string>.Create(CompareIds))
                .Select(o => o.Json().GetProperty("outputs")[0].GetProperty("data")[0].GetSingle()).ToArray();
            Assert.Equal(8, scores.Length);
            for (var s = 0; s < 8; s++)
            {
                var expected = await reference.InferAsync(new InferenceRequest(SampleModels.PumpMonitor, [InferenceTensor.Create("reading", readings[p][s], 1, 3)])
                {
                    Sequence = new SequenceControl($"pump-{p}", Start: s == 0),
                });
                Assert.Equal(expected["anomaly_score"].AsSpan<float>()[0], scores[s]);
            }
        }
    }

    private static int CompareIds(string a, string b)
    {
        var (x, y) = (a.Split('-').Select(long.Parse).ToArray(), b.Split('-').Select(long.Parse).ToArray());
        return x[0] != y[0] ? x[0].CompareTo(y[0]) : x[1].CompareTo(y[1]);
    }

    [Fact]
    public async Task Invalid_messages_go_to_the_dead_letter_stream_at_once_with_the_reason()
    {
        await using var engine = await OnnxEngineAsync();
        var badJson = await Db.AddAsync(_input, "{not json");
        var noBody = (string)(await Db.StreamAddAsync(_input, [new NameValueEntry("payload", "x")]))!;
        var badInput = await Db.AddAsync(_input, """{"inputs": [{"name": "feature", "datatype": "FP32", "shape": [1, 8], "data": [1,2,3,4,5,6,7,8]}]}""");
        var badFlag = await Db.AddAsync(_input, FraudBody(1), ("sequence_start", "yes"));
        var good = await Db.AddAsync(_input, FraudBody(2));

        var outputs = await ConsumeAsync(engine, Options(SampleModels.Fraud), () => Db.WaitForEntriesAsync(_output, 5));
        var dead = await Db.WaitForEntriesAsync(DeadLetter, 4);

        string Reason(string id) => dead.Single(d => d.Field("source_id") == id).Field("error");
        Assert.StartsWith("the request body is not valid JSON", Reason(badJson));
        Assert.Equal("the message has no 'body' field; its fields are: payload", Reason(noBody));
        Assert.Contains("has no input 'feature'", Reason(badInput));
        Assert.Equal("field 'sequence_start' must be true, false, 1 or 0, not 'yes'", Reason(badFlag));
        Assert.All(dead, d => Assert.Equal("1", d.Field("attempts")));
        Assert.All(dead, d => Assert.Equal("invalid_argument", d.Field("error_code")));
        Assert.Equal("{not json", dead.Single(d => d.Field("source_id") == badJson).Field("body"));

        // The output stream has one entry per message: the errors too, so its readers see every outcome.
        Assert.Equal([badJson, noBody, badInput, badFlag, good], outputs.Select(o => o.Field("source_id")).Order(Comparer<string>.Create(CompareIds)));
        Assert.Equal(Reason(badInput), outputs.Single(o => o.Field("source_id") == badInput).Json().GetProperty("error").GetString());
        Assert.Equal(0, await Db.PendingAsync(_input, "g"));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_then_dead_lettered_after_max_attempts()
    {
        using var repository = new TempRepository();
        repository.AddModel("broken").WriteConfig("broken", """{"warmup": {"iterations": 0}}""");
        using var failures = new SemaphoreSlim(0);
        var signature = FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 1).Signature;
        var backend = new FakeBackend().Register("broken", FakeModelSpec.Custom(signature, _ =>
        {
            failures.Release();
            return ValueTask.FromResult(BatchResult.Failure(new InferenceError(ErrorCode.Internal, "the GPU caught fire")));
        }));
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).BuildAsync().WaitAsync(TestTimeout);
        var id = await Db.AddAsync(_input, """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 1], "data": [1]}]}""");

        // Each attempt is made by its own consumer, stopped once the model has failed the message (stopping finishes the
        // attempt), so attempts never overlap. The message stays pending; backdated, the next consumer claims it at once.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.True(await ConsumeAsync(engine, Options("broken", $"c{attempt}") with { MaxAttempts = 3 }, () => failures.WaitAsync(TestTimeout)), $"attempt {attempt} never reached the model");
            if (attempt < 3)
            {
                Assert.Equal(new Dictionary<string, int> { [$"c{attempt}"] = 1 }, await Db.PendingByConsumerAsync(_input, "g"));
                Assert.Equal(0, await Db.StreamLengthAsync(_output));
                await Db.BackdatePendingAsync(_input, "g");
            }
        }

        var entry = Assert.Single(await Db.StreamRangeAsync(DeadLetter));
        Assert.Equal(id, entry.Field("source_id"));
        Assert.Equal("3", entry.Field("attempts"));
        Assert.Equal("internal", entry.Field("error_code"));
        Assert.Equal("failed 3 times; last: the GPU caught fire", entry.Field("error"));
        Assert.Equal(3, backend.Model("broken").ExecutionCount);
        Assert.Single(await Db.StreamRangeAsync(_output));
        Assert.Equal(0, await Db.PendingAsync(_input, "g"));
    }

    [Fact]
    public async Task Pending_messages_of_a_dead_consumer_are_claimed_and_answered_once()
    {
        await using var engine = await OnnxEngineAsync();
        await Db.StreamCreateConsumerGroupAsync(_input, "g", "0-0", createStream: true);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await Db.AddAsync(_input, FraudBody(i)));
        }

        // "ghost" reads six messages and dies without acknowledging them, long enough ago to be taken for dead.
        var taken = await Db.StreamReadGroupAsync(_input, "g", "ghost", ">", 6);
        Assert.Equal(6, taken.Length);
        Assert.Equal(6, await Db.PendingAsync(_input, "g"));
        await Db.BackdatePendingAsync(_input, "g");

        var log = new RecordingLogger();
        var outputs = await ConsumeAsync(engine, Options(SampleModels.Fraud), () => Db.WaitForEntriesAsync(_output, 10), log);

        Assert.Contains(log.Lines, line => line.StartsWith("405 Claimed 6 pending messages", StringComparison.Ordinal));
        Assert.Equal(ids.Order(), outputs.Select(o => o.Field("source_id")).Order());
        Assert.Equal(0, await Db.PendingAsync(_input, "g"));
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetter));
    }

    [Fact]
    public async Task Reads_only_as_many_messages_as_it_has_room_for()
    {
        using var held = new HeldModel();
        await using var engine = await held.BuildEngineAsync();
        for (var i = 0; i < 10; i++)
        {
            await Db.AddAsync(_input, HeldModel.Body(i));
        }

        var log = new RecordingLogger();
        var outputs = await ConsumeAsync(engine, Options(HeldModel.Name) with { MaxInFlight = 2 }, async () =>
        {
            try
            {
                // The consumer reports it is full only with both slots taken, and the model holds both messages, so no
                // slot can free and no third read can follow: Redis shows exactly what it read.
                await log.WaitForAsync(RecordingLogger.Full);
                Assert.Equal(new Dictionary<string, int> { ["c1"] = 2 }, await Db.PendingByConsumerAsync(_input, "g"));
            }
            finally
            {
                held.Open();
            }

            return await Db.WaitForEntriesAsync(_output, 10);
        }, log);

        Assert.Equal(10, outputs.Length);
        Assert.Equal(0, await Db.PendingAsync(_input, "g"));
        Assert.Equal(10, held.Backend.Model(HeldModel.Name).ExecutionCount);
        Assert.InRange(held.Backend.Model(HeldModel.Name).MaxConcurrentExecutions, 1, 2);
    }

    [Fact]
    public async Task Consumers_sharing_a_group_split_the_messages_and_answer_each_once()
    {
        using var held = new HeldModel();
        await using var engine = await held.BuildEngineAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await Db.AddAsync(_input, HeldModel.Body(i)));
        }

        using var stop = new CancellationTokenSource();
        var logs = new[] { new RecordingLogger(), new RecordingLogger() };
        var consumers = logs.Select((log, i) => new RedisStreamConsumer(engine, redis.Connection, Options(HeldModel.Name, $"c{i + 1}") with { MaxInFlight = 1 }, log)).ToArray();
        var running = consumers.Select(c => c.RunAsync(stop.Token)).ToArray();
        try
        {
            try
            {
                // Each consumer holds one message it cannot finish, so neither can take more: one each, eight left unread.
                await Task.WhenAll(logs.Select(log => log.WaitForAsync(RecordingLogger.Full)));
                Assert.Equal(new Dictionary<string, int> { ["c1"] = 1, ["c2"] = 1 }, await Db.PendingByConsumerAsync(_input, "g"));
            }
            finally
            {
                held.Open();
            }

            await Db.WaitForEntriesAsync(_output, 10);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TestTimeout);
        }

        Assert.Equal(ids.Order(), (await Db.StreamRangeAsync(_output)).Select(o => o.Field("source_id")).Order());
        Assert.Equal(10, consumers.Sum(c => c.Processed));

        // Nothing is claimed in this test, so each consumer answered the message it held, at least.
        Assert.All(consumers, c => Assert.InRange(c.Processed, 1, 9));
    }

    /// <summary>
    /// The fake model <see cref="Name"/> (y = x, FP32 [1], no batching, four instances): every execution waits until
    /// <see cref="Open"/>, so the messages a consumer reads stay in flight for as long as a test needs.
    /// </summary>
    private sealed class HeldModel : IDisposable
    {
        public const string Name = "held";
        private readonly TempRepository _repository = new();
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldModel()
        {
            _repository.AddModel(Name).WriteConfig(Name, """{"max_batch_size": 0, "instance_count": 4, "warmup": {"iterations": 0}}""");
            var signature = new ModelSignature([new TensorSpec("x", DataType.Fp32, [1])], [new TensorSpec("y", DataType.Fp32, [1])]);
            Backend = new FakeBackend().Register(Name, FakeModelSpec.Custom(signature, async call =>
            {
                await _gate.Task.WaitAsync(TestTimeout);
                return FakeModelSpec.Echo(call.Batch, signature);
            }));
        }

        public FakeBackend Backend { get; }

        public static string Body(int i) => $$"""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [{{i}}]}]}""";

        public Task<InferenceEngine> BuildEngineAsync() =>
            new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(Backend).BuildAsync().WaitAsync(TestTimeout);

        public void Open() => _gate.TrySetResult();

        public void Dispose()
        {
            Open();
            _repository.Dispose();
        }
    }
}
