using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve --fuse-pipelines</c>: the server-wide default for compiling pipelines into one ONNX Runtime graph.</summary>
public sealed class ServeFusePipelinesTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-fuse-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "--fuse-pipelines", "false" }, false)]
    [InlineData(new[] { "--fuse-pipelines", "true" }, true)]
    public async Task The_sentiment_pipeline_is_fused_unless_the_option_turns_fusion_off(string[] option, bool fused)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, "sentiment", "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository, "sentiment", "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        using var server = AugurProcess.Start(["serve", "--model-repository", _repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0", .. option]);
        await server.WaitForListeningAsync();

        var line = fused
            ? "Model sentiment version 1: the pipeline's 2 step(s) are fused into one ONNX Runtime graph"
            : "Model sentiment version 1: fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false), so the pipeline runs step by step";
        Assert.Contains(line, server.Stdout, StringComparison.Ordinal);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
