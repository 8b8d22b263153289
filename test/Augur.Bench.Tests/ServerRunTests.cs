using System.Diagnostics;
using System.Text.Json;
using Augur.Bench.Data;
using Augur.Bench.Reporting;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;
using Augur.OnnxRuntime.Samples;
using Augur.Server;
using Augur.Testing;

namespace Augur.Bench.Tests;

/// <summary>Short real runs against Kestrel on 127.0.0.1, port 0, and against the engine in-process.</summary>
public sealed class ServerRunTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private LocalServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalServer.StartAsync(repository =>
    {
        TestModels.WriteModel(repository, "fraud", SampleModels.BuildFraud());
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_run_over_REST_meets_a_generous_bound(bool binary)
    {
        await using var target = new HttpTarget(_server.Url, "fraud", null, binary, connections: 8);
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 200, MinDuration = TimeSpan.FromSeconds(1), LatencyBound = TimeSpan.FromSeconds(30) };
        var report = await RunAsync(target, settings);

        Assert.True(report.Result!.Errors == 0, report.Result.FirstError);
        Assert.Equal(ScheduledQueries(settings), report.Result.Queries);
        Assert.True(report.Valid);
        Assert.Equal("server_p99_latency_ms", report.Metric);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_server_run_over_gRPC_unary_or_one_shared_stream_meets_a_generous_bound(bool stream, bool raw)
    {
        await using IBenchTarget target = stream ? new GrpcStreamTarget(_server.Grpc, "fraud", null, raw) : new GrpcTarget(_server.Grpc, "fraud", null, raw);
        var settings = new ScenarioSettings(Scenario.Server) { TargetQps = 200, MinDuration = TimeSpan.FromSeconds(1), LatencyBound = TimeSpan.FromSeconds(30) };
        var report = await RunAsync(target, settings);

        Assert.True(report.Result!.Errors == 0, report.Result.FirstError);
        Assert.Equal(ScheduledQueries(settings), report.Result.Queries);
        Assert.True(report.Valid);
        Assert.StartsWith(stream ? "grpc-stream://127.0.0.1:" : "grpc://127.0.0.1:", target.Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc-stream")]
    [InlineData("grpc")]
    [InlineData("rest")]
    public async Task A_streams_run_sends_every_reading_of_every_stream_and_gets_an_answer(string kind)
    {
        await using IBenchTarget target = kind switch
        {
            "grpc-stream" => new GrpcStreamTarget(_server.Grpc, "fraud", null, raw: true),
            "grpc" => new GrpcTarget(_server.Grpc, "fraud", null, raw: true),
            _ => new HttpTarget(_server.Url, "fraud", null, binary: true, connections: int.MaxValue),
        };
        var report = await RunAsync(target, new ScenarioSettings(Scenario.Streams) { Streams = 8, ReadingsPerSecond = 20, MinDuration = TimeSpan.FromSeconds(1), LatencyBound = TimeSpan.FromSeconds(30) });

        Assert.True(report.Result!.Errors == 0, report.Result.FirstError);
        Assert.Equal(8 * 20, report.Result.Queries);
        Assert.Equal(8, report.Result.Streams);
        Assert.Equal("streams_p99_latency_ms", report.Metric);
        Assert.True(report.Valid); // no errors, and a bound only a stalled run misses: test hosts run in parallel on 2 cores
    }

    [Fact]
    public async Task A_gRPC_stream_reports_an_error_message_as_a_failed_reading_without_losing_the_stream()
    {
        await using var target = new GrpcStreamTarget(_server.Grpc, "fraud", null, raw: false);
        var good = target.Prepare([Tensors.InferenceTensor.Create("features", new float[8], 1, 8)]);
        var bad = target.Prepare([Tensors.InferenceTensor.Create("features", new float[3], 1, 3)]);

        Assert.Null((await target.SendAsync(good, CancellationToken.None).AsTask().WaitAsync(Timeout)).Error);
        Assert.Equal("stream error: input 'features' has shape [1,3] but model 'fraud' expects [-1,8]", (await target.SendAsync(bad, CancellationToken.None).AsTask().WaitAsync(Timeout)).Error);
        Assert.Null((await target.SendAsync(good, CancellationToken.None).AsTask().WaitAsync(Timeout)).Error);
    }

    [Theory]
    [InlineData("rest", "200", "400")]
    [InlineData("grpc", "grpc:OK", "grpc:INVALID_ARGUMENT")]
    [InlineData("grpc-stream", "grpc:OK", StatusClasses.StreamErrorMessage)]
    [InlineData("in-process", StatusClasses.InProcessOk, "inprocess:InvalidArgument")]
    public async Task Every_target_classes_Augurs_answers_by_their_status(string kind, string ok, string invalid)
    {
        await using IBenchTarget target = kind switch
        {
            "grpc-stream" => new GrpcStreamTarget(_server.Grpc, "fraud", null, raw: false),
            "grpc" => new GrpcTarget(_server.Grpc, "fraud", null, raw: false),
            "in-process" => new InProcessTarget(_server.Engine, "fraud", null, ownsEngine: false),
            _ => new HttpTarget(_server.Url, "fraud", null, binary: false, connections: 1),
        };
        var good = target.Prepare([Tensors.InferenceTensor.Create("features", new float[8], 1, 8)]);
        var bad = target.Prepare([Tensors.InferenceTensor.Create("features", new float[3], 1, 3)]);

        var answered = await target.SendAsync(good, CancellationToken.None).AsTask().WaitAsync(Timeout);
        var refused = await target.SendAsync(bad, CancellationToken.None).AsTask().WaitAsync(Timeout);

        Assert.Equal((ok, (string?)null), (answered.Status, answered.Error));
        Assert.Equal(invalid, refused.Status);
        Assert.Contains("expects [-1,8]", refused.Error, StringComparison.Ordinal);
        Assert.False(refused.IsRefusal);
    }

    [Fact]
    public async Task Single_stream_in_process_and_multi_stream_over_REST_send_batches_shaped_by_the_metadata()
    {
        await using var local = new InProcessTarget(_server.Engine, "fraud", null, ownsEngine: false);
        // No duration, a query count: one query at a time stops at exactly that count, however long each one takes.
        var single = await RunAsync(local, new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.Zero, MinQueryCount = 50 });
        Assert.True(single.Result!.Errors == 0, single.Result.FirstError);
        Assert.Equal((50, 50), (single.Result.Queries, single.Result.Samples));

        await using var remote = new HttpTarget(_server.Url, "fraud", null, binary: false, connections: 1);
        var multi = await RunAsync(remote, new ScenarioSettings(Scenario.MultiStream) { MinDuration = TimeSpan.Zero, MinQueryCount = 50 });
        Assert.True(multi.Result!.Errors == 0, multi.Result.FirstError);
        Assert.Equal((50, 50 * 8), (multi.Result.Queries, multi.Result.Samples));
    }

    [Fact]
    public async Task An_unknown_model_is_reported_before_any_run()
    {
        await using var target = new HttpTarget(_server.Url, "nope", null, binary: false, connections: 1);
        var (inputs, error) = await target.GetInputsAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Null(inputs);
        Assert.Contains("404", error);
    }

    [Fact]
    public async Task Reports_serialize_to_JSON_and_render_to_offline_HTML()
    {
        await using var target = new HttpTarget(_server.Url, "fraud", null, binary: true, connections: 4);
        var report = await RunAsync(target, new ScenarioSettings(Scenario.Server) { TargetQps = 100, MinDuration = TimeSpan.FromMilliseconds(500), LatencyBound = TimeSpan.FromSeconds(30) });

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, BenchReport.JsonOptions));
        Assert.Equal("server_p99_latency_ms", json.RootElement.GetProperty("metric").GetString());
        Assert.True(json.RootElement.GetProperty("result").GetProperty("histogram").GetArrayLength() > 0);

        var html = HtmlReport.Render([report], "ratio server_p99_latency_ms A/B: 1");
        Assert.Contains("<svg", html);
        Assert.Contains("<rect", html);
        Assert.Contains("<polyline", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("href=", html);
    }

    /// <summary>
    /// The queries a Server run makes: its seeded Poisson schedule fixes them, as the dispatcher sends every arrival due
    /// in the window, late or not, so the count does not depend on how fast the machine is. The schedule is built on the
    /// clock's reading at the start, in doubles; no arrival lies within a millisecond of the window's end, so that
    /// reading cannot move one across it.
    /// </summary>
    private static long ScheduledQueries(ScenarioSettings settings)
    {
        var frequency = Stopwatch.Frequency;
        var end = (long)(settings.MinDuration.TotalSeconds * frequency);
        var arrivals = new PoissonArrivals(0, settings.TargetQps, settings.Seed, frequency);
        long count = 0, last = 0, next;
        while ((next = arrivals.Next()) < end)
        {
            count++;
            last = next;
        }

        Assert.True(Math.Min(end - last, next - end) > frequency / 1000, "an arrival lies within a millisecond of the window's end; choose another seed");
        return count;
    }

    private static async Task<BenchReport> RunAsync(IBenchTarget target, ScenarioSettings settings)
    {
        var (inputs, error) = await target.GetInputsAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.True(inputs is not null, error);
        var prepared = new PreparedTarget(target, SampleSource.Random(inputs, 1));
        var session = new BenchSession(SystemClock.Instance, settings, findPeak: false);
        return await session.RunAsync(target.Name, "fraud", prepared, CancellationToken.None).WaitAsync(Timeout);
    }
}
