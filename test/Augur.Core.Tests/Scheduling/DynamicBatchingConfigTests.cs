using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Scheduling;

public sealed class DynamicBatchingConfigTests
{
    private static DynamicBatchingConfig Parse(string batching)
    {
        Assert.True(ModelConfigReader.TryParse($$"""{"dynamic_batching": {{batching}}}""", out var config, out var problem), problem);
        return config.DynamicBatching;
    }

    private static string Problem(string batching)
    {
        Assert.False(ModelConfigReader.TryParse($$"""{"dynamic_batching": {{batching}}}""", out _, out var problem));
        return problem!;
    }

    [Fact]
    public void EverySetting_IsRead()
    {
        var config = Parse("""
            { "max_queue_delay_microseconds": 1000, "preferred_batch_size": [8, 4, 4], "max_queue_size": 8,
              "default_timeout_microseconds": 2500, "priority_levels": 3, "default_priority_level": 2,
              "latency_objective": { "percentile": 99.9, "microseconds": 15000 }, "enabled": true }
            """);

        Assert.True(config.Enabled);
        Assert.Equal(TimeSpan.FromMicroseconds(1000), config.MaxQueueDelay);
        Assert.Equal([4, 8], config.PreferredBatchSizes);
        Assert.Equal(8, config.MaxQueueSize);
        Assert.Equal(TimeSpan.FromMicroseconds(2500), config.DefaultTimeout);
        Assert.Equal(3, config.PriorityLevels);
        Assert.Equal(2, config.DefaultPriorityLevel);
        Assert.Equal(2, config.EffectiveDefaultPriority);
        Assert.Equal(new LatencyObjective(99.9, TimeSpan.FromMilliseconds(15)), config.LatencyObjective);
    }

    [Fact]
    public void Absent_OrEmpty_TakesTheDefaults()
    {
        Assert.True(ModelConfigReader.TryParse("{}", out var absent, out _));
        var empty = Parse("{}");

        Assert.Same(DynamicBatchingConfig.Default, absent.DynamicBatching);
        Assert.Equal(DynamicBatchingConfig.Default, empty);
        Assert.True(empty.Enabled);
        Assert.Empty(empty.PreferredBatchSizes);
        Assert.Equal(TimeSpan.Zero, empty.MaxQueueDelay);
        Assert.Equal(0, empty.MaxQueueSize);
        Assert.Null(empty.DefaultTimeout);
        Assert.Equal((1, (int?)null, 1), (empty.PriorityLevels, empty.DefaultPriorityLevel, empty.EffectiveDefaultPriority));
        Assert.Null(empty.LatencyObjective);
    }

    [Fact]
    public void FalseOrTrue_SwitchesBatching()
    {
        Assert.Equal(DynamicBatchingConfig.Default with { Enabled = false }, Parse("false"));
        Assert.Equal(DynamicBatchingConfig.Default, Parse("true"));
        Assert.False(Parse("""{"enabled": false}""").Enabled);
    }

    [Fact]
    public void ZeroTimeout_MeansNone_AndPercentileDefaultsTo99()
    {
        Assert.Null(Parse("""{"default_timeout_microseconds": 0}""").DefaultTimeout);
        Assert.Equal(new LatencyObjective(99, TimeSpan.FromMilliseconds(15)), Parse("""{"latency_objective": {"microseconds": 15000}}""").LatencyObjective);
    }

    [Theory]
    [InlineData("""{"max_delay": 5}""", "unknown setting 'dynamic_batching.max_delay'")]
    [InlineData("""{"latency_objective": {"microseconds": 1, "p": 9}}""", "unknown setting 'dynamic_batching.latency_objective.p'")]
    [InlineData("\"yes\"", "dynamic_batching must be a JSON object, not string")]
    [InlineData("""{"enabled": "no"}""", "dynamic_batching.enabled must be true or false, not \"no\"")]
    [InlineData("""{"max_queue_delay_microseconds": -1}""", "dynamic_batching.max_queue_delay_microseconds must be an integer ≥ 0, not -1")]
    [InlineData("""{"max_queue_delay_microseconds": 1.5}""", "dynamic_batching.max_queue_delay_microseconds must be an integer ≥ 0, not 1.5")]
    [InlineData("""{"max_queue_size": -1}""", "dynamic_batching.max_queue_size must be an integer ≥ 0, not -1")]
    [InlineData("""{"default_timeout_microseconds": -5}""", "dynamic_batching.default_timeout_microseconds must be an integer ≥ 0, not -5")]
    [InlineData("""{"preferred_batch_size": 4}""", "dynamic_batching.preferred_batch_size must be a JSON array, not number")]
    [InlineData("""{"preferred_batch_size": [0]}""", "each dynamic_batching.preferred_batch_size must be an integer from 1 to 65536, not 0")]
    [InlineData("""{"priority_levels": 0}""", "dynamic_batching.priority_levels must be an integer from 1 to 16, not 0")]
    [InlineData("""{"priority_levels": 17}""", "dynamic_batching.priority_levels must be an integer from 1 to 16, not 17")]
    [InlineData("""{"priority_levels": 2, "default_priority_level": 3}""", "dynamic_batching.default_priority_level 3 is above priority_levels 2")]
    [InlineData("""{"default_priority_level": 2}""", "dynamic_batching.default_priority_level 2 is above priority_levels 1")]
    [InlineData("""{"latency_objective": {"percentile": 99}}""", "dynamic_batching.latency_objective needs 'microseconds' (and optionally 'percentile', default 99)")]
    [InlineData("""{"latency_objective": {"percentile": 0, "microseconds": 15000}}""", "dynamic_batching.latency_objective.percentile must be a number above 0 and at most 100, not 0")]
    [InlineData("""{"latency_objective": {"percentile": 101, "microseconds": 15000}}""", "dynamic_batching.latency_objective.percentile must be a number above 0 and at most 100, not 101")]
    [InlineData("""{"latency_objective": {"microseconds": 0}}""", "dynamic_batching.latency_objective.microseconds must be an integer ≥ 1, not 0")]
    [InlineData("""{"latency_objective": 15000}""", "dynamic_batching.latency_objective must be a JSON object, not number")]
    public void BadValue_IsReportedExactly(string batching, string message)
    {
        Assert.Equal($"config.json: {message}", Problem(batching));
    }

    [Theory]
    [InlineData(4, "[8, 2, 16]", "dynamic_batching.preferred_batch_size 8, 16 exceeds the max batch size 4")]
    [InlineData(0, "[2]", "dynamic_batching.preferred_batch_size 2 exceeds the max batch size 0")]
    public async Task PreferredSizeAboveMaxBatchSize_MakesTheVersionUnavailable(int maxBatchSize, string preferred, string reason)
    {
        using var repository = new TempRepository();
        var backend = new FakeBackend().Register("echo", maxBatchSize > 0 ? Echo() : FakeModelSpec.Identity("x", "y", Augur.Tensors.DataType.Fp32, 3));
        repository.AddModel("echo").WriteConfig("echo", $$$"""{"max_batch_size": {{{maxBatchSize}}}, "dynamic_batching": {"preferred_batch_size": {{{preferred}}}}}""");
        await using var engine = await BuildAsync(repository, backend);

        var status = engine.Status("echo");

        Assert.Equal(ModelState.Unavailable, status.State);
        Assert.Equal(new ModelVersionStatus(1, ModelState.Unavailable, reason), Assert.Single(status.Versions));
        Assert.Equal($"version 1: {reason}", status.Reason);
        Assert.True(backend.Model("echo").IsDisposed);
    }

    [Fact]
    public async Task PreferredSizeOne_IsFine_ForAModelThatDoesNotBatch()
    {
        using var repository = new TempRepository();
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("x", "y", Augur.Tensors.DataType.Fp32, 3));
        repository.AddModel("echo").WriteConfig("echo", """{"max_batch_size": 0, "dynamic_batching": {"preferred_batch_size": [1]}}""");
        await using var engine = await BuildAsync(repository, backend);

        Assert.Equal(ModelState.Ready, engine.Status("echo").State);
    }
}
