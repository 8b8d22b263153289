using Augur.OnnxRuntime.Pipelines;
using Augur.Testing.Fakes;
using Augur.OnnxRuntime.Samples;
using Augur.OnnxRuntime.Tests.Fusion;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>PipelineFusion.Compile: a version folder's pipeline as one graph a plain ONNX Runtime session serves.</summary>
public sealed class PipelineFusionTests : IDisposable
{
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public void The_sentiment_pipeline_compiled_from_its_folder_gives_in_a_plain_session_what_the_pipeline_computes()
    {
        var directory = PipelineFolders.Write(_repository.Path, "sentiment", SentimentModel.Pipeline, (SentimentModel.ClassifierFile, SentimentModel.BuildClassifier()));
        string[] reviews = ["The food was great and the staff friendly", "Not good, never again. Cold soup and rude staff", ""];

        var fused = PipelineFusion.Compile(directory);
        var probabilities = FusedGraphs.Run<float>(fused, ("text", FusedGraphs.Text(reviews)));

        // The logit is exact in FP32 (weights are multiples of 1/4); ONNX Runtime's Sigmoid may differ in the last bits.
        Assert.Equal(reviews.Length, probabilities.Length);
        for (var i = 0; i < reviews.Length; i++)
        {
            Assert.Equal(SentimentModel.Probability(reviews[i]), probabilities[i], 1e-6f);
        }
    }

    [Fact]
    public void A_pipeline_that_does_not_validate_is_refused_naming_the_file_and_the_step()
    {
        var pipeline = SentimentModel.Pipeline.Replace("\"buckets\": 4096", "\"buckets\": 1024", StringComparison.Ordinal);
        var directory = PipelineFolders.Write(_repository.Path, "narrow", pipeline, (SentimentModel.ClassifierFile, SentimentModel.BuildClassifier()));

        var error = Assert.Throws<InvalidDataException>(() => PipelineFusion.Compile(directory));

        Assert.StartsWith($"{Path.Combine(directory, "pipeline.json")}: step 'classify' ({SentimentModel.ClassifierFile})", error.Message, StringComparison.Ordinal);
    }
}
