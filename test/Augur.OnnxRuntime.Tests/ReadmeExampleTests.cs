using Augur.Testing;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests;

/// <summary>The README's in-process example (with an absolute repository path) against the committed sample repository.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task In_process_example_prints_the_documented_probability()
    {
        var samples = RepositoryPaths.SampleModels;

        await using var engine = await new InferenceEngineBuilder()
            .UseModelRepository(samples).UseOnnxRuntime().BuildAsync();
        float[] features = [0.3f, 0, 0, 0.5f, 1, 0, 0.5f, 0.5f];
        var response = await engine.InferAsync(new InferenceRequest("fraud", [InferenceTensor.Create("features", features, 1, 8)]));

        Assert.Equal(0.6087503f, response["probability"].AsSpan<float>()[0], 1e-6f);
        Assert.Equal(1L, response["label"].AsSpan<long>()[0]);
    }
}
