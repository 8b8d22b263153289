using System.Globalization;
using System.Text.RegularExpressions;
using Augur.Bench.Data;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;
using Augur.OnnxRuntime.Samples;
using Augur.Server;
using Augur.Testing;

namespace Augur.Bench.Tests;

/// <summary>
/// The Streams scenario against the stateful pump_monitor sample (Kestrel on 127.0.0.1, port 0): with a sequence per
/// stream, each stream is one live sequence over REST and gRPC; without, the model refuses every reading.
/// </summary>
public sealed partial class SequenceStreamsTests : IAsyncLifetime
{
    private const int Streams = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private LocalServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalServer.StartAsync(repository =>
    {
        TestModels.WriteModel(repository, SampleModels.PumpMonitor, SampleModels.BuildPumpMonitor());
        File.WriteAllText(Path.Combine(repository, SampleModels.PumpMonitor, "config.json"), PumpMonitorModel.Config);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("rest-json")]
    [InlineData("rest-binary")]
    [InlineData("grpc-stream")]
    public async Task Each_stream_is_one_sequence_of_the_model(string kind)
    {
        await using IBenchTarget target = kind switch
        {
            "grpc-stream" => new GrpcStreamTarget(_server.Grpc, SampleModels.PumpMonitor, null, raw: true),
            _ => new HttpTarget(_server.Url, SampleModels.PumpMonitor, null, binary: kind == "rest-binary", connections: 8),
        };

        var result = await RunAsync(target, sequencePerStream: true);

        Assert.True(result.Errors == 0, result.FirstError);
        Assert.Equal(Streams * 20, result.Queries);
        Assert.Equal(Streams, await LiveSequencesAsync());
    }

    [Fact]
    public async Task Without_a_sequence_per_stream_the_model_refuses_every_reading()
    {
        await using var target = new HttpTarget(_server.Url, SampleModels.PumpMonitor, null, binary: false, connections: 8);

        var result = await RunAsync(target, sequencePerStream: false);

        Assert.Equal((0, Streams * 20), (result.Queries, result.Errors));
        Assert.Contains("needs a sequence_id", result.FirstError, StringComparison.Ordinal);
    }

    private static async Task<RunResult> RunAsync(IBenchTarget target, bool sequencePerStream)
    {
        var (inputs, error) = await target.GetInputsAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.True(inputs is not null, error);
        var prepared = new PreparedTarget(target, SampleSource.Random(inputs, 1), sequencePerStream);
        var settings = new ScenarioSettings(Scenario.Streams) { Streams = Streams, ReadingsPerSecond = 20, MinDuration = TimeSpan.FromSeconds(1), LatencyBound = TimeSpan.FromSeconds(1) };
        var session = new BenchSession(SystemClock.Instance, settings, findPeak: false);
        var report = await session.RunAsync(target.Name, SampleModels.PumpMonitor, prepared, CancellationToken.None).WaitAsync(Timeout);
        return report.Result!;
    }

    /// <summary>The live sequences gauge of pump_monitor, as /metrics shows it.</summary>
    private async Task<int> LiveSequencesAsync()
    {
        using var client = new HttpClient { BaseAddress = _server.Url, Timeout = Timeout };
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var match = LiveGauge().Match(text);
        Assert.True(match.Success, text);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^augur_sequences_live\S*\{[^}]*model=""pump_monitor""[^}]*\}\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex LiveGauge();
}
