using System.Diagnostics.Metrics;
using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using Augur.Inference;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Augur.Batch.Tests.Precomputed;

/// <summary>
/// An engine serving a fake identity model (x → y, FP32 [-1,3]) whose config.json reads precomputed predictions from a
/// real store through <see cref="PrecomputedStores.Open"/>, on a fake clock; it reports each write-back as it lands.
/// </summary>
internal sealed class PrecomputedEngine : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private readonly TempRepository _repository;
    private readonly MeterListener _listener = new();
    private readonly System.Threading.Channels.Channel<long> _writes = System.Threading.Channels.Channel.CreateUnbounded<long>();

    private PrecomputedEngine(TempRepository repository, FakeTimeProvider time)
    {
        _repository = repository;
        Time = time;
    }

    public InferenceEngine Engine { get; private set; } = null!;

    public FakeTimeProvider Time { get; }

    public string ModelDirectory(string model) => _repository.ModelPath(model);

    /// <summary>Model <paramref name="model"/> with <paramref name="versions"/> (all served) reading <paramref name="source"/>.</summary>
    public static async Task<PrecomputedEngine> StartAsync(string model, string source, long[]? versions = null, bool writeBack = false, int maxAgeSeconds = 3600, Action<string>? beforeLoad = null)
    {
        var repository = new TempRepository().AddModel(model, versions ?? [1]);
        var escaped = source.Replace("\\", "\\\\", StringComparison.Ordinal);
        var precomputed = $$$"""{"source": "{{{escaped}}}", "max_age_seconds": {{{maxAgeSeconds}}}, "write_back": {{{(writeBack ? "true" : "false")}}}}""";
        repository.WriteConfig(model, $$$"""{"max_batch_size": 8, "warmup": {"iterations": 0}, "version_policy": {"all": {}}, "dynamic_batching": {"max_queue_delay_microseconds": 0}, "precomputed": {{{precomputed}}}}""");
        beforeLoad?.Invoke(repository.ModelPath(model));
        var engine = new PrecomputedEngine(repository, new FakeTimeProvider(Start));
        var backend = new FakeBackend().Register(model, FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3));
        engine.Engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).UseTimeProvider(engine.Time)
            .UsePrecomputedPredictions(PrecomputedStores.Open).BuildAsync().WaitAsync(BatchHarness.Timeout);
        engine.Listen();
        return engine;
    }

    /// <summary>A one-row request for <paramref name="model"/> with prediction_key <paramref name="key"/>; y echoes x.</summary>
    public static InferenceRequest Request(string model, string key, float first, string? version = null) =>
        new(model, [InferenceTensor.Create("x", new[] { first, first + 1, first + 2 }, 1, 3)]) { PredictionKey = key, ModelVersion = version };

    /// <summary>A stored row of the identity model: outputs y = [v, v, v].</summary>
    public static StoredPrediction Row(string model, string key, string version, DateTimeOffset createdAt, float value, string job = "job-1", long row = 0) =>
        new(key, job, row, model, version, "{}", string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"y":[{{value}},{{value}},{{value}}]}"""), PredictionStore.Format(createdAt));

    public async Task<(string? Source, float Y, string Version)> InferAsync(InferenceRequest request)
    {
        var result = await Engine.TryInferAsync(request).AsTask().WaitAsync(BatchHarness.Timeout);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return (result.Response.PredictionSource, result.Response["y"].AsSpan<float>()[0], result.Response.ModelVersion);
    }

    /// <summary>Waits for the next write-back to be stored.</summary>
    public async Task NextWriteAsync()
    {
        using var timeout = new CancellationTokenSource(BatchHarness.Timeout);
        await _writes.Reader.ReadAsync(timeout.Token);
    }

    private void Listen()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Engine.Meter) && instrument.Name == "augur.precomputed.writes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _writes.Writer.TryWrite(value));
        _listener.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _listener.Dispose();
        _repository.Dispose();
    }
}
