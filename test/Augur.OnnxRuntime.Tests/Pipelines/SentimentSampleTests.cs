using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Samples;
using Augur.Testing;
using Augur.Testing.Fakes;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>The sentiment sample: the committed pipeline served by the engine scores reviews as its lexicon says.</summary>
public sealed class SentimentSampleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_committed_pipeline_scores_reviews_as_the_lexicon_computed_in_csharp()
    {
        using var repository = new TempRepository();
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1");
        var target = Directory.CreateDirectory(Path.Combine(repository.Path, SampleModels.Sentiment, "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        string[] reviews = ["The food was great and the staff friendly", "not good and the soup was cold", "Not bad at all", "", "NEVER AGAIN  terrible\tservice"];

        var response = await engine.InferAsync(new InferenceRequest(SampleModels.Sentiment, [InferenceTensor.CreateStrings("text", reviews, reviews.Length, 1)])).AsTask().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(ModelState.Ready, status.State);
        var probability = response["probability"].ToArray<float>();
        Assert.Equal(reviews.Select(SentimentModel.Probability), probability, (a, b) => Math.Abs(a - b) <= 1e-6f);
        // great + friendly; "not good" outweighs good (and cold); "not bad" outweighs bad; nothing known; never, never again, terrible.
        // Tokens split at whitespace only: "good," would be another word.
        Assert.Equal([2.75f, -1.25f, 1f, 0.25f, -3.75f], reviews.Select(SentimentModel.Logit));
        Assert.True(probability[0] > 0.9f && probability[1] < 0.25f && probability[2] > 0.7f && probability[4] < 0.05f, string.Join(", ", probability));
    }

    [Fact]
    public void The_sample_builds_the_same_bytes_every_time_and_stays_small()
    {
        Assert.Equal(SentimentModel.BuildClassifier(), SentimentModel.BuildClassifier());
        Assert.InRange(SentimentModel.BuildClassifier().Length, 1, 20_000);
        Assert.Throws<ArgumentException>(() => SampleModels.Build(SampleModels.Sentiment));
    }
}
