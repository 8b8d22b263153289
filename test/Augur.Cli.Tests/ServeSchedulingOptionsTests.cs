using Augur.Testing;

namespace Augur.Cli.Tests;

/// <summary><c>augur serve</c>'s scheduling options: a bad value stops the server with one line naming the option and the rule.</summary>
public sealed class ServeSchedulingOptionsTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("augur-cli-scheduling-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Theory]
    [InlineData("--compute-threads-from", "-2", "augur serve: ComputeThreadMicroseconds (--compute-threads-from) -2 must be -1 (none), 0 (every instance) or up to 1000000000")]
    [InlineData("--compute-threads-from", "soon", "augur serve: --compute-threads-from 'soon': expected a number; see augur serve --help")]
    [InlineData("--default-timeout", "-5", "augur serve: DefaultTimeoutMilliseconds (--default-timeout) -5 must be 0 (no limit) or up to 86400000 (one day)")]
    public async Task A_bad_scheduling_option_stops_serve_with_one_line_naming_it(string option, string value, string expected)
    {
        var (code, _, stderr) = await AugurProcess.RunAsync("serve", "--model-repository", _repository, "--http-port", "0", "--grpc-port", "0", option, value);

        Assert.Equal(2, code);
        Assert.Equal(expected, stderr.Trim());
    }
}
