using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests;

/// <summary>The committed pump_monitor sample through the engine and ONNX Runtime, against a hand computation.</summary>
public sealed class PumpMonitorServingTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _repository = Path.Combine(Path.GetTempPath(), $"augur-pump-{Guid.NewGuid():N}");

    public PumpMonitorServingTests()
    {
        // Only this sample: loading the whole sample repository would build the big benchmark models too.
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.PumpMonitor);
        var target = Path.Combine(_repository, SampleModels.PumpMonitor);
        Directory.CreateDirectory(Path.Combine(target, "1"));
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(target, "config.json"));
        File.Copy(Path.Combine(source, "1", "model.onnx"), Path.Combine(target, "1", "model.onnx"));
    }

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public void The_committed_files_are_what_the_builder_writes()
    {
        Assert.Equal(SampleModels.BuildPumpMonitor(), File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleModels, SampleModels.PumpMonitor, "1", "model.onnx")));
        Assert.Equal(PumpMonitorModel.Config, File.ReadAllText(Path.Combine(RepositoryPaths.SampleModels, SampleModels.PumpMonitor, "config.json")));
    }

    [Fact]
    public async Task Interleaved_pumps_each_get_the_score_of_their_own_history()
    {
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        Assert.True(engine.TryGetMetadata(SampleModels.PumpMonitor, null, out var metadata, out _));
        Assert.Equal(["reading"], metadata.Signature.Inputs.Select(i => i.Name));
        Assert.Equal(["anomaly_score"], metadata.Signature.Outputs.Select(o => o.Name));

        const int pumps = 6;
        const int readings = 30;
        var series = Enumerable.Range(0, pumps).Select(pump => PumpReadings.Series(pump)).ToArray();

        // The pumps stream at the same time, each on its own thread, so their steps meet in the model's batches.
        var expected = series.Select(PumpReadings.ExpectedScores).ToArray();
        var scores = await Task.WhenAll(Enumerable.Range(0, pumps).Select(pump => Task.Run(async () =>
        {
            var got = new float[readings];
            for (var step = 0; step < readings; step++)
            {
                var request = new InferenceRequest(SampleModels.PumpMonitor, [InferenceTensor.Create("reading", series[pump][step], 1, 3)])
                {
                    Sequence = new SequenceControl($"pump-{pump}"),
                };
                got[step] = (await engine.TryInferAsync(request)).GetResponseOrThrow()["anomaly_score"].AsSpan<float>()[0];
            }

            return got;
        }))).WaitAsync(Timeout);

        for (var pump = 0; pump < pumps; pump++)
        {
            for (var step = 0; step < readings; step++)
            {
                Assert.Equal(expected[pump][step], scores[pump][step], 1e-5f);
            }
        }

        // The drifting pump ends far above the steady ones.
        Assert.True(expected[pumps - 1][readings - 1] > 0.9 && expected[0][readings - 1] < 0.1, string.Join(", ", expected.Select(e => e[^1])));
    }

    [Fact]
    public async Task A_reading_of_the_wrong_width_is_refused_by_name()
    {
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        var result = await engine.TryInferAsync(new InferenceRequest(SampleModels.PumpMonitor, [InferenceTensor.Create("reading", new float[2], 1, 2)])
        {
            Sequence = new SequenceControl("pump-1"),
        }).AsTask().WaitAsync(Timeout);
        Assert.Equal(ErrorCode.InvalidArgument, result.Error?.Code);
        Assert.Contains("input 'reading' has shape [1,2]", result.Error!.Message);
    }
}
