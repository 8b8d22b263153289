using System.Diagnostics;
using Augur.OnnxRuntime.Samples;
using static Augur.Streams.Tests.StreamHarness;

namespace Augur.Streams.Tests;

/// <summary><c>augur stream</c> refuses bad settings before it touches Redis, with one line and a non-zero exit.</summary>
public sealed class StreamCommandTests : IDisposable
{
    private readonly string _repository = CopySamples(SampleModels.Fraud);

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private async Task<(int Code, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "augur.dll"), "stream", "--input-stream", "in", "--output-stream", "out", "--group", "g", "--model-repository", _repository }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeout);
        return (process.ExitCode, await stderr);
    }

    [Theory]
    [InlineData("--max-in-flight", "0", "max in flight must be at least 1, not 0")]
    [InlineData("--max-attempts", "0", "max attempts must be at least 1, not 0")]
    [InlineData("--dead-letter", "in", "the output and dead-letter streams must differ from the input stream")]
    public async Task Bad_settings_exit_2_with_the_reason(string option, string value, string reason)
    {
        var (code, stderr) = await RunAsync("--model", "fraud", "--redis", "redis://127.0.0.1:1", option, value);
        Assert.Equal(2, code);
        Assert.Contains(reason, stderr);
    }

    [Fact]
    public async Task An_unknown_model_exits_1_with_the_reason()
    {
        var (code, stderr) = await RunAsync("--model", "nope", "--redis", "redis://127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.Contains("unknown model 'nope'", stderr);
    }
}
