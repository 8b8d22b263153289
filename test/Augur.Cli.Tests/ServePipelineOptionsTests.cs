using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve --share-subplans</c> and <c>--fuse-pipelines</c>: the server-wide defaults for sharing the featurizers
/// pipelines begin with and for compiling a pipeline into one ONNX Runtime graph.
/// </summary>
public sealed class ServePipelineOptionsTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-fuse-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private const string Shared = "Model sentiment version 1: step 'featurize' (text_ngrams) is shared sub-plan ";
    private const string Fused = "Model sentiment version 1: the pipeline's 2 step(s) are fused into one ONNX Runtime graph";
    private const string StepByStep = "Model sentiment version 1: fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false), so the pipeline runs step by step";

    [Theory]
    [InlineData(new string[0], Shared)]
    [InlineData(new[] { "--fuse-pipelines", "false" }, Shared)]
    [InlineData(new[] { "--share-subplans", "false" }, Fused)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "true" }, Fused)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "false" }, StepByStep)]
    public async Task The_sentiment_pipeline_shares_its_featurizer_else_is_fused_unless_the_options_turn_those_off(string[] option, string line)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, "sentiment", "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository, "sentiment", "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        using var server = AugurProcess.Start(["serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", .. option]);
        await server.WaitForListeningAsync();

        Assert.Contains(line, server.Stdout, StringComparison.Ordinal);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
