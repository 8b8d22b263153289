using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary>
/// <c>augur serve --share-subplans</c>, <c>--fuse-pipelines</c> and <c>--sparse-heads</c>: the server-wide defaults for
/// sharing the featurizers pipelines begin with, for compiling a pipeline into one ONNX Runtime graph and for running a
/// linear head in C# over sparse featurizer rows.
/// </summary>
public sealed class ServePipelineOptionsTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-fuse-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private const string Shared = "Model sentiment version 1: step 'featurize' (text_ngrams) is shared sub-plan ";
    private const string SparseShared = "Model sentiment version 1: the sparse rows for step 'classify' (classifier.onnx) is shared sub-plan ";
    private const string Sparse = "Model sentiment version 1: step 'classify' (classifier.onnx) runs as a sparse linear head (4096 × 1 weights, in C#)";
    private const string Fused = "Model sentiment version 1: the pipeline's 2 step(s) are fused into one ONNX Runtime graph";
    private const string StepByStep = "Model sentiment version 1: fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false), so the pipeline runs step by step";

    [Theory]
    [InlineData(new string[0], SparseShared, Shared)]
    [InlineData(new[] { "--sparse-heads", "true" }, Sparse, Shared)]
    [InlineData(new[] { "--sparse-heads", "false" }, Shared, Sparse)]
    [InlineData(new[] { "--fuse-pipelines", "false" }, SparseShared, Fused)]
    [InlineData(new[] { "--fuse-pipelines", "false", "--sparse-heads", "false" }, Shared, SparseShared)]
    [InlineData(new[] { "--share-subplans", "false" }, Fused, Sparse)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "true" }, Fused, Sparse)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "false" }, StepByStep, Shared)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "false" }, Sparse, Fused)]
    [InlineData(new[] { "--share-subplans", "false", "--fuse-pipelines", "false", "--sparse-heads", "false" }, StepByStep, Sparse)]
    public async Task The_sentiment_pipeline_shares_its_featurizer_runs_its_head_sparse_else_is_fused_unless_the_options_turn_those_off(string[] option, string line, string absent)
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
        Assert.DoesNotContain(absent, server.Stdout, StringComparison.Ordinal);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
