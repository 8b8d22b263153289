using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>Engines on a fake clock, configs and requests for the dynamic batcher tests.</summary>
internal static class SchedulingHarness
{
    /// <summary>The usual batching section: wait up to 1 ms for peers, no other limit.</summary>
    public const string WaitOneMs = """{"max_queue_delay_microseconds": 1000}""";

    /// <summary>config.json for a one-instance model without warm-up, so <see cref="FakeModel.Calls"/> holds only the test's batches.</summary>
    public static string Config(string batching, int maxBatchSize = 8, string extra = "") =>
        $$"""{"max_batch_size": {{maxBatchSize}}, "instance_count": 1, "warmup": {"iterations": 0}, "dynamic_batching": {{batching}}{{extra}}}""";

    /// <summary>Builds an engine on <paramref name="time"/>; its "Augur" meter comes from <paramref name="metrics"/> when given.</summary>
    public static Task<InferenceEngine> BuildAsync(TempRepository repository, FakeBackend backend, FakeTimeProvider time, MetricsProbe? metrics = null)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).UseTimeProvider(time);
        if (metrics is not null)
        {
            builder.UseMeterFactory(metrics);
        }

        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    /// <summary>An echo request of <paramref name="rows"/> samples, each of <paramref name="width"/> values.</summary>
    public static InferenceRequest Request(string id, int rows = 1, int priority = 0, TimeSpan? timeout = null, string? version = null, int width = 3) =>
        new("echo", [InferenceTensor.Create("x", new float[rows * width], rows, width)])
        {
            Id = id,
            Priority = priority,
            Timeout = timeout,
            ModelVersion = version,
        };

    /// <summary>The ids of each batch the model ran, in order, e.g. "a,b|c".</summary>
    public static string Batches(FakeModel model) =>
        string.Join("|", model.Calls.Select(call => string.Join(",", call.Batch.Select(r => r.Id))));

    public static TimeSpan Microseconds(int us) => TimeSpan.FromMicroseconds(us);
}
