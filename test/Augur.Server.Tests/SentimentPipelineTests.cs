using System.Net;
using System.Text;
using System.Text.Json;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;

namespace Augur.Server.Tests;

/// <summary>
/// The sentiment sample, a pipeline (a text_ngrams featurizer, then an ONNX head), served through REST like any model:
/// BYTES in, what the same computation in C# gives out.
/// </summary>
public sealed class SentimentPipelineTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        var repository = Path.Combine(Path.GetTempPath(), $"augur-sentiment-{Guid.NewGuid():N}");
        var version = Directory.CreateDirectory(Path.Combine(repository, SampleModels.Sentiment, "1")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1")))
        {
            File.Copy(file, Path.Combine(version, Path.GetFileName(file)));
        }

        _host = await TestHost.StartAsync(repository);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Rest_infer_with_bytes_input_answers_what_the_featurizer_and_head_compute_in_csharp()
    {
        string[] reviews = ["The food was great and the staff friendly", "Not good. Cold soup, rude waiter, never again", "", "café crème: wonderful"];
        var body = JsonSerializer.Serialize(new
        {
            id = "review-1",
            inputs = new[] { new { name = "text", datatype = "BYTES", shape = new[] { reviews.Length, 1 }, data = reviews } },
        });

        using var response = await _host.Client.PostAsync("/v2/models/sentiment/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("review-1", json.RootElement.GetProperty("id").GetString());
        var output = Assert.Single(json.RootElement.GetProperty("outputs").EnumerateArray().ToArray());
        Assert.Equal("probability", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([reviews.Length, 1], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var probabilities = output.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()).ToArray();
        // The logit is exact (weights are multiples of 1/4); ONNX Runtime's Sigmoid may differ from MathF.Exp in the last bits.
        Assert.Equal(reviews.Select(SentimentModel.Probability), probabilities, (a, b) => Math.Abs(a - b) <= 1e-6f);
        Assert.Equal([2.75f, -3.75f, 0.25f, 2.25f], reviews.Select(SentimentModel.Logit));
    }

    [Fact]
    public async Task The_metadata_route_describes_the_pipelines_inputs_and_outputs()
    {
        using var response = await _host.Client.GetAsync("/v2/models/sentiment");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("augur_pipeline", json.RootElement.GetProperty("platform").GetString());
        var input = Assert.Single(json.RootElement.GetProperty("inputs").EnumerateArray().ToArray());
        Assert.Equal("""{"name":"text","datatype":"BYTES","shape":[-1,1]}""", input.GetRawText());
        var output = Assert.Single(json.RootElement.GetProperty("outputs").EnumerateArray().ToArray());
        Assert.Equal("""{"name":"probability","datatype":"FP32","shape":[-1,1]}""", output.GetRawText());
    }
}
