using Augur.Caching;
using Augur.Core.Tests.Scheduling;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Caching;

/// <summary>An engine over fake models with the response cache on, and a probe on its meter.</summary>
internal sealed class CacheHarness : IAsyncDisposable
{
    /// <summary>A batching model without warm-up (so every execution is a client's) whose answers are cached.</summary>
    public const string Config = """{"max_batch_size": 8, "warmup": {"iterations": 0}, "response_cache": {"enable": true}}""";

    private readonly bool _ownsRepository;

    private CacheHarness(TempRepository repository, bool ownsRepository, FakeBackend backend, MetricsProbe metrics, InferenceEngine engine)
    {
        Repository = repository;
        _ownsRepository = ownsRepository;
        Backend = backend;
        Metrics = metrics;
        Engine = engine;
    }

    public TempRepository Repository { get; }

    public FakeBackend Backend { get; }

    public MetricsProbe Metrics { get; }

    public InferenceEngine Engine { get; }

    public static async Task<CacheHarness> StartAsync(
        FakeModelSpec spec, ResponseCacheOptions? options = null, string config = Config, TimeProvider? time = null, ModelControlMode mode = ModelControlMode.None, string model = "m", long[]? versions = null, TempRepository? shared = null)
    {
        // A replica serves the same files as the engine that made the shared repository, so it has the same versions.
        var repository = shared ?? new TempRepository().AddModel(model, versions ?? [1]).WriteConfig(model, config);
        var backend = new FakeBackend().Register(model, spec);
        var metrics = new MetricsProbe();
        var builder = new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).UseMeterFactory(metrics)
            .UseModelControl(mode, TimeSpan.FromDays(1)).LoadModelsAtStartup("*").UseResponseCache(options);
        if (time is not null)
        {
            builder.UseTimeProvider(time);
        }

        var engine = await builder.BuildAsync().WaitAsync(TestTimeout);
        return new CacheHarness(repository, shared is null, backend, metrics, engine);
    }

    /// <summary>Requests the model version has executed (summed over its batches).</summary>
    public int Runs(long version = 1, string model = "m") => Backend.Model(model, version).Calls.Sum(c => c.Batch.Count);

    /// <summary>The sum of a counter's measurements whose tags include every one given.</summary>
    public long Count(string instrument, params (string Key, string Value)[] tags) =>
        (long)Metrics.Of(instrument).Where(r => tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Sum(r => r.Value);

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Metrics.Dispose();
        if (_ownsRepository)
        {
            Repository.Dispose();
        }
    }
}
