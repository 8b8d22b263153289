using System.Runtime.InteropServices;
using Augur.Backends;
using Augur.Caching;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Caching;

/// <summary>The response cache through the engine: what is a hit, what is another entry, what is never kept.</summary>
public sealed class ResponseCacheTests
{
    /// <summary>Two inputs, each echoed: a [-1,2] FP32 → ya, b [-1,2] FP32 → yb.</summary>
    private static FakeModelSpec TwoWay() => FakeModelSpec.Identity(
        [new TensorSpec("a", DataType.Fp32, [-1, 2]), new TensorSpec("b", DataType.Fp32, [-1, 2])], ["ya", "yb"]);

    private static InferenceTensor A(float first = 1) => InferenceTensor.Create("a", new[] { first, 2f }, 1, 2);

    private static InferenceTensor B() => InferenceTensor.Create("b", new[] { 3f, 4f }, 1, 2);

    [Fact]
    public async Task The_second_identical_request_is_answered_from_the_cache_without_running_the_model()
    {
        await using var cache = await CacheHarness.StartAsync(Echo());

        var first = await cache.Engine.InferOk(EchoRequest("m", id: "one"));
        var second = await cache.Engine.InferOk(EchoRequest("m", id: "two"));

        Assert.Equal(1, cache.Runs());
        Assert.Equal(PredictionSources.Model, first.PredictionSource);
        Assert.Equal(PredictionSources.Cache, second.PredictionSource);
        Assert.Equal("two", second.Id);
        Assert.Equal("1", second.ModelVersion);
        Assert.Equal(first["y"].ToArray<float>(), second["y"].ToArray<float>());
        Assert.Equal([1L, 3], second["y"].Shape.ToArray());
        Assert.Equal(1, cache.Count("augur.cache.hits", ("model", "m"), ("version", "1"), ("level", "memory")));
        Assert.Equal(1, cache.Count("augur.cache.misses", ("model", "m"), ("version", "1")));
        Assert.Equal(2, cache.Metrics.Of("augur.cache.lookup.duration").Count);
        Assert.True(cache.Metrics.Gauge("augur.cache.bytes", "m") > 0);
        Assert.Equal(1, cache.Metrics.Gauge("augur.cache.entries", "m"));
    }

    [Fact]
    public async Task A_model_without_response_cache_in_its_config_always_runs_and_names_no_source()
    {
        await using var cache = await CacheHarness.StartAsync(Echo(), config: NoWarmup);

        await cache.Engine.InferOk(EchoRequest("m"));
        var second = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal(2, cache.Runs());
        Assert.Null(second.PredictionSource);
    }

    [Fact]
    public async Task The_same_bytes_in_another_shape_are_another_entry()
    {
        await using var cache = await CacheHarness.StartAsync(FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, -1));
        float[] values = [1, 2, 3, 4, 5, 6];

        var wide = await cache.Engine.InferOk(new InferenceRequest("m", [InferenceTensor.Create("x", values, 1, 6)]));
        var square = await cache.Engine.InferOk(new InferenceRequest("m", [InferenceTensor.Create("x", values, 2, 3)]));
        var squareAgain = await cache.Engine.InferOk(new InferenceRequest("m", [InferenceTensor.Create("x", values, 2, 3)]));

        Assert.Equal(2, cache.Runs());
        Assert.Equal(PredictionSources.Model, square.PredictionSource);
        Assert.Equal(PredictionSources.Cache, squareAgain.PredictionSource);
        Assert.Equal([1L, 6], wide["y"].Shape.ToArray());
        Assert.Equal([2L, 3], squareAgain["y"].Shape.ToArray());
    }

    [Fact]
    public async Task Inputs_sent_in_another_order_are_the_same_entry()
    {
        await using var cache = await CacheHarness.StartAsync(TwoWay());

        await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]));
        var swapped = await cache.Engine.InferOk(new InferenceRequest("m", [B(), A()]));

        Assert.Equal(1, cache.Runs());
        Assert.Equal(PredictionSources.Cache, swapped.PredictionSource);
        Assert.Equal([1f, 2], swapped["ya"].ToArray<float>());
        Assert.Equal([3f, 4], swapped["yb"].ToArray<float>());
    }

    [Fact]
    public async Task Other_requested_outputs_are_another_entry_and_each_hit_answers_in_the_order_asked()
    {
        await using var cache = await CacheHarness.StartAsync(TwoWay());

        var onlyA = await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["ya"] });
        var onlyB = await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["yb"] });
        var both = await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["yb", "ya"] });
        var bothAgain = await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["ya", "yb"] });
        var bReversed = await cache.Engine.InferOk(new InferenceRequest("m", [A(), B()]) { RequestedOutputs = ["yb", "ya"] });

        Assert.Equal(3, cache.Runs());
        Assert.Equal(["ya"], onlyA.Outputs.Select(o => o.Name));
        Assert.Equal(["yb"], onlyB.Outputs.Select(o => o.Name));
        Assert.Equal(PredictionSources.Model, both.PredictionSource);
        Assert.Equal(PredictionSources.Cache, bothAgain.PredictionSource);
        Assert.Equal(["ya", "yb"], bothAgain.Outputs.Select(o => o.Name));
        Assert.Equal([1f, 2], bothAgain["ya"].ToArray<float>());
        Assert.Equal(["yb", "ya"], bReversed.Outputs.Select(o => o.Name));
        Assert.Equal([3f, 4], bReversed.Outputs[0].ToArray<float>());
    }

    [Fact]
    public async Task An_error_is_never_kept_and_the_next_identical_request_runs_the_model()
    {
        var calls = 0;
        var spec = FakeModelSpec.Custom(EchoSignature, call => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1
            ? BatchResult.Failure(InferenceError.Unavailable("the first run fails"))
            : FakeModelSpec.Echo(call.Batch, EchoSignature)));
        await using var cache = await CacheHarness.StartAsync(spec);

        var failed = await cache.Engine.InferError(EchoRequest("m"));
        var answered = await cache.Engine.InferOk(EchoRequest("m"));
        var cached = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal(ErrorCode.Unavailable, failed.Code);
        Assert.Equal(PredictionSources.Model, answered.PredictionSource);
        Assert.Equal(PredictionSources.Cache, cached.PredictionSource);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_sequence_model_is_never_cached_even_when_its_config_asks()
    {
        var config = Sequences.SequenceHarness.Config(Sequences.SequenceHarness.SumState)[..^1] + """, "response_cache": {"enable": true}}""";
        await using var cache = await CacheHarness.StartAsync(Sequences.SequenceHarness.Sum(), config: config, model: "sum");

        var first = await cache.Engine.InferOk(Sequences.SequenceHarness.Step("s", 1, start: true));
        var second = await cache.Engine.InferOk(Sequences.SequenceHarness.Step("t", 1, start: true));

        Assert.Equal(2, cache.Runs(model: "sum"));
        Assert.Null(first.PredictionSource);
        Assert.Null(second.PredictionSource);
        Assert.Empty(cache.Metrics.Of("augur.cache.misses"));
    }

    [Fact]
    public async Task Changing_a_responses_data_from_outside_does_not_change_the_cached_answer()
    {
        await using var cache = await CacheHarness.StartAsync(Echo());
        var first = await cache.Engine.InferOk(EchoRequest("m"));

        // The only way to write through ReadOnlyMemory: the cache kept its own copy when it stored the answer.
        Assert.True(MemoryMarshal.TryGetArray(first["y"].Data, out var segment));
        segment.AsSpan().Fill(0xFF);
        var hit = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal(PredictionSources.Cache, hit.PredictionSource);
        Assert.Equal([0f, 1, 2], hit["y"].ToArray<float>());
        Assert.IsNotType<InferenceTensor[]>(hit.Outputs);
    }

    [Fact]
    public async Task The_size_bound_evicts_the_least_recently_used_entry_and_counts_it()
    {
        // Every entry of this model has one size (its payload plus 256 bytes), measured on a cache of its own.
        int entry;
        await using (var measure = await CacheHarness.StartAsync(Echo()))
        {
            await measure.Engine.InferOk(Request(9));
            entry = measure.Metrics.Gauge("augur.cache.bytes", "m");
        }

        await using var cache = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { SizeBytes = 2 * entry + entry / 2 });

        await cache.Engine.InferOk(Request(1));
        await cache.Engine.InferOk(Request(2));
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(Request(1))).PredictionSource); // 1 is now the most recent
        await cache.Engine.InferOk(Request(3));                                                           // so 2 makes room

        Assert.Equal(1, cache.Count("augur.cache.evictions", ("model", "m"), ("reason", "capacity")));
        Assert.Equal(2, cache.Metrics.Gauge("augur.cache.entries", "m"));
        Assert.Equal(2 * entry, cache.Metrics.Gauge("augur.cache.bytes", "m"));
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(Request(1))).PredictionSource);
        Assert.Equal(PredictionSources.Cache, (await cache.Engine.InferOk(Request(3))).PredictionSource);
        Assert.Equal(3, cache.Runs());
        Assert.Equal(PredictionSources.Model, (await cache.Engine.InferOk(Request(2))).PredictionSource);
        Assert.Equal(4, cache.Runs());

        static InferenceRequest Request(float value) => new("m", [InferenceTensor.Create("x", new[] { value, 0, 0 }, 1, 3)]);
    }

    [Fact]
    public async Task An_answer_too_large_for_an_entry_is_served_but_not_kept()
    {
        await using var cache = await CacheHarness.StartAsync(Echo(), new ResponseCacheOptions { SizeBytes = 1 << 20, MaxEntryBytes = 16 });

        await cache.Engine.InferOk(EchoRequest("m"));
        var second = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal(PredictionSources.Model, second.PredictionSource);
        Assert.Equal(2, cache.Runs());
    }

    [Fact]
    public async Task An_entry_expires_after_the_models_ttl_seconds()
    {
        var time = new FakeTimeProvider();
        await using var cache = await CacheHarness.StartAsync(Echo(), config: """{"max_batch_size": 8, "warmup": {"iterations": 0}, "response_cache": {"enable": true, "ttl_seconds": 10}}""", time: time);

        await cache.Engine.InferOk(EchoRequest("m"));
        time.Advance(TimeSpan.FromSeconds(9.9));
        var before = await cache.Engine.InferOk(EchoRequest("m"));
        time.Advance(TimeSpan.FromSeconds(0.1));
        var after = await cache.Engine.InferOk(EchoRequest("m"));

        Assert.Equal(PredictionSources.Cache, before.PredictionSource);
        Assert.Equal(PredictionSources.Model, after.PredictionSource);
        Assert.Equal(2, cache.Runs());
        Assert.Equal(1, cache.Count("augur.cache.evictions", ("reason", "expired")));
    }

    [Fact]
    public async Task A_request_that_fails_validation_never_reaches_the_cache()
    {
        await using var cache = await CacheHarness.StartAsync(Echo());

        var error = await cache.Engine.InferError(new InferenceRequest("m", [InferenceTensor.Create("x", new[] { 1f, 2 }, 1, 2)]));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Empty(cache.Metrics.Of("augur.cache.misses"));
    }

    [Fact]
    public async Task Calling_UseResponseCache_again_replaces_the_earlier_options()
    {
        using var repository = new TempRepository().AddModel("m").WriteConfig("m", CacheHarness.Config);
        var backend = new FakeBackend().Register("m", Echo());
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend)
            .UseResponseCache(new ResponseCacheOptions { SizeBytes = 1 << 20 })
            .UseResponseCache(new ResponseCacheOptions { SizeBytes = 0 })
            .BuildAsync().WaitAsync(TestTimeout);

        await engine.InferOk(EchoRequest("m"));
        var second = await engine.InferOk(EchoRequest("m"));

        // Only the last options (nothing kept in process): a stage left from the first call would have answered.
        Assert.Equal(PredictionSources.Model, second.PredictionSource);
        Assert.Equal(2, backend.Model("m").Calls.Count);
    }

    [Fact]
    public void Options_out_of_range_are_refused_by_name()
    {
        var builder = new InferenceEngineBuilder();

        Assert.Equal("SizeBytes", Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseResponseCache(new ResponseCacheOptions { SizeBytes = -1 })).ParamName);
        Assert.Equal("DistributedTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseResponseCache(new ResponseCacheOptions { DistributedTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("DefaultTimeToLive", Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseResponseCache(new ResponseCacheOptions { DefaultTimeToLive = TimeSpan.FromMilliseconds(10) })).ParamName);
        Assert.Equal("MaxEntryBytes", Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseResponseCache(new ResponseCacheOptions { MaxEntryBytes = 0 })).ParamName);
    }
}
