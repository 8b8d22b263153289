using Augur.Core.Tests.Scheduling;
using Augur.Inference;
using Augur.Precomputed;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Precomputed;

/// <summary>
/// An engine over fake models whose config.json declares precomputed predictions, with an in-memory store behind the
/// resolver, a fake clock (predictions age only when the test advances it) and the engine's metrics.
/// </summary>
internal sealed class PrecomputedHarness : IAsyncDisposable
{
    /// <summary>The clock's start: the time stored predictions are made at unless a test says otherwise.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private PrecomputedHarness(TempRepository repository, FakeBackend backend, FakeTimeProvider time, MetricsProbe metrics, FakePrecomputedStore store)
    {
        Repository = repository;
        Backend = backend;
        Time = time;
        Metrics = metrics;
        Store = store;
    }

    public TempRepository Repository { get; }

    public FakeBackend Backend { get; }

    public FakeTimeProvider Time { get; }

    public MetricsProbe Metrics { get; }

    public FakePrecomputedStore Store { get; }

    public InferenceEngine Engine { get; private set; } = null!;

    /// <summary>Every source the resolver was asked for, in order.</summary>
    public List<string> Resolved { get; } = [];

    /// <summary>config.json of a batching model without warm-up that serves precomputed predictions from <paramref name="precomputed"/>.</summary>
    public static string Config(string precomputed = """{"source": "redis://store", "max_age_seconds": 3600}""", string extra = "") =>
        $$"""{"max_batch_size": 8, "warmup": {"iterations": 0}, "dynamic_batching": {"max_queue_delay_microseconds": 0}, "precomputed": {{precomputed}}{{extra}}}""";

    /// <summary>
    /// Starts an engine over model <c>echo</c> (the identity x → y, FP32 [-1,3]) with <paramref name="config"/>, or over
    /// what <paramref name="setUp"/> writes and registers.
    /// </summary>
    public static async Task<PrecomputedHarness> StartAsync(string? config = null, Action<TempRepository, FakeBackend>? setUp = null, bool resolver = true)
    {
        var harness = new PrecomputedHarness(new TempRepository(), new FakeBackend(), new FakeTimeProvider(Start), new MetricsProbe(), new FakePrecomputedStore());
        if (setUp is null)
        {
            harness.Repository.AddModel("echo").WriteConfig("echo", config ?? Config());
            harness.Backend.Register("echo", Echo());
        }
        else
        {
            setUp(harness.Repository, harness.Backend);
        }

        var builder = new InferenceEngineBuilder().UseModelRepository(harness.Repository.Path).AddBackend(harness.Backend)
            .UseTimeProvider(harness.Time).UseMeterFactory(harness.Metrics);
        if (resolver)
        {
            builder.UsePrecomputedPredictions(source =>
            {
                lock (harness.Resolved)
                {
                    harness.Resolved.Add(source);
                }

                return harness.Store;
            });
        }

        harness.Engine = await builder.BuildAsync().WaitAsync(TestTimeout);
        return harness;
    }

    /// <summary>The echo model's one-row request, with <paramref name="key"/> as its prediction_key.</summary>
    public static InferenceRequest Keyed(string? key, float first = 1, string? version = null, IReadOnlyList<string>? outputs = null) =>
        new("echo", [InferenceTensor.Create("x", new[] { first, first + 1, first + 2 }, 1, 3)]) { PredictionKey = key, ModelVersion = version, RequestedOutputs = outputs };

    /// <summary>A stored answer of the echo model: y = <paramref name="value"/> three times.</summary>
    public static InferenceTensor StoredY(float value) => InferenceTensor.Create("y", new[] { value, value, value }, 1, 3);

    /// <summary>How many lookups ended with <paramref name="result"/> (the result tag of augur.precomputed.lookups).</summary>
    public int Lookups(string result, string model = "echo") =>
        Metrics.Of("augur.precomputed.lookups").Where(r => r.Tags["result"] == result && r.Tags["model"] == model).Sum(r => (int)r.Value);

    public int Failures(string operation, string reason) =>
        Metrics.Of("augur.precomputed.store.failures").Where(r => r.Tags["operation"] == operation && r.Tags["reason"] == reason).Sum(r => (int)r.Value);

    public async ValueTask DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        Metrics.Dispose();
        Repository.Dispose();
    }
}
