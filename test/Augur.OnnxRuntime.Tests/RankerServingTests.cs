using System.Text.Json;
using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests;

/// <summary>The committed ranker sample through the engine: its config.json and the benchmark request file.</summary>
public sealed class RankerServingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serves_the_benchmark_request_and_batches_up_to_64_rows()
    {
        var features = ReadBenchmarkFeatures();
        await using var engine = await new InferenceEngineBuilder()
            .UseModelRepository(RepositoryPaths.SampleModels).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);

        var one = await engine.InferAsync(new InferenceRequest(SampleModels.Ranker, [InferenceTensor.Create("features", features, 1, 256)])).AsTask().WaitAsync(Timeout);
        var rows = Enumerable.Repeat(features, 64).SelectMany(f => f).ToArray();
        var full = await engine.InferAsync(new InferenceRequest(SampleModels.Ranker, [InferenceTensor.Create("features", rows, 64, 256)])).AsTask().WaitAsync(Timeout);
        var tooMany = await engine.TryInferAsync(new InferenceRequest(SampleModels.Ranker, [InferenceTensor.Create("features", rows.Concat(features).ToArray(), 65, 256)])).AsTask().WaitAsync(Timeout);

        Assert.True(engine.TryGetMetadata(SampleModels.Ranker, null, out var metadata, out _));
        Assert.Equal(64, metadata.MaxBatchSize);
        Assert.Equal([1L, 1], one["score"].Shape.ToArray());
        var score = one["score"].AsSpan<float>()[0];
        Assert.Equal(0.30339503f, score, 1e-6f);
        Assert.Equal([64L, 1], full["score"].Shape.ToArray());
        Assert.All(full["score"].ToArray<float>(), s => Assert.Equal(score, s, 1e-5f));
        Assert.Equal(ErrorCode.InvalidArgument, tooMany.Error?.Code);
    }

    private static float[] ReadBenchmarkFeatures()
    {
        using var request = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "docs", "benchmarks", "requests", "ranker.json")));
        var input = request.RootElement.GetProperty("inputs")[0];
        Assert.Equal("features", input.GetProperty("name").GetString());
        Assert.Equal([1, 256], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        return input.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    }
}
