using Augur.Bench;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;

namespace Augur.Bench.Tests;

/// <summary>The Streams scenario on virtual time: schedules per stream, latency from the due time, the search for the most streams.</summary>
public sealed class StreamsScenarioTests
{
    private static ScenarioSettings Streams(int count, double seconds = 1) =>
        new(Scenario.Streams) { Streams = count, MinDuration = TimeSpan.FromSeconds(seconds), LatencyBound = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public void Fixed_intervals_send_each_stream_R_readings_per_second_one_interval_apart()
    {
        var clock = new VirtualClock();
        var source = new RecordingStreams(clock, VirtualClock.Ms(2));
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(Streams(5, seconds: 2), source));

        Assert.Equal(5, source.Opened);
        Assert.Equal(5, source.Closed);
        Assert.Equal(5 * 30 * 2, result.Queries);
        Assert.Equal(5, result.Streams);
        Assert.Equal(150, result.TargetQps);
        Assert.Equal(2.0, result.P99Ms, 2);
        foreach (var sends in source.SendTimes)
        {
            Assert.Equal(60, sends.Count);
            // 1/30 s apart, to within the tick rounding of an accumulated double.
            Assert.All(sends.Zip(sends.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, 33_333_332, 33_333_334));
        }

        // Each stream starts at its own phase within the first interval, so the streams do not send all at once.
        var phases = source.SendTimes.Select(s => s[0]).ToArray();
        Assert.All(phases, p => Assert.InRange(p, 0, 33_333_334));
        Assert.Equal(5, phases.Distinct().Count());
    }

    [Fact]
    public void Poisson_streams_keep_the_rate_on_average_with_irregular_gaps()
    {
        var clock = new VirtualClock();
        var source = new RecordingStreams(clock, VirtualClock.Ms(1));
        var settings = Streams(20, seconds: 10) with { Arrivals = StreamArrivals.Poisson, Seed = 9 };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(settings, source));

        // 6000 readings expected; a Poisson count has a standard deviation of about 77.
        Assert.InRange(result.Queries, 5_700, 6_300);
        var gaps = source.SendTimes.SelectMany(s => s.Zip(s.Skip(1), (a, b) => (double)(b - a))).ToArray();
        Assert.True(gaps.Max() > 3 * gaps.Min(), "Poisson gaps vary");
        Assert.InRange(gaps.Average(), 0.95 * 33_333_333, 1.05 * 33_333_333);
    }

    [Fact]
    public void A_reading_is_sent_when_due_even_while_its_stream_waits_and_its_latency_runs_from_the_due_time()
    {
        // Stream 0's first answer takes 200 ms; its next readings go out on schedule anyway and wait behind nothing.
        var clock = new VirtualClock();
        var source = new RecordingStreams(clock, VirtualClock.Ms(1)) { Slow = (stream, index) => stream == 0 && index == 0 ? VirtualClock.Ms(200) : null };
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(Streams(1), source));

        Assert.Equal(30, result.Queries);
        Assert.Equal(30, source.SendTimes[0].Count);
        Assert.Equal(200, result.MaxMs, 0);
        Assert.Equal(1.0, result.P50Ms, 3);
    }

    [Fact]
    public void Streams_sharing_one_target_see_its_queue_as_latency()
    {
        // One FIFO server at 10 ms per reading (100 readings/s) against 4 streams at 30/s: 120/s, past capacity.
        var clock = new VirtualClock();
        var result = clock.Run(() => new ScenarioRunner(clock).RunAsync(Streams(4, seconds: 5), new QueueTarget(clock, VirtualClock.Ms(10))));

        Assert.Equal(600, result.Queries);
        Assert.True(result.P99Ms > 500, $"p99 {result.P99Ms} ms");
        Assert.False(result.MeetsBound(50));
    }

    [Fact]
    public void The_peak_search_finds_the_most_streams_within_the_bound_below_a_known_capacity()
    {
        // A FIFO server at 2 ms per reading: 500 readings/s, so at most 16.7 streams of 30 readings/s.
        var clock = new VirtualClock();
        var target = new QueueTarget(clock, VirtualClock.Ms(2));
        var settings = Streams(1, seconds: 4);
        var session = new BenchSession(clock, settings, findPeak: true);
        var report = clock.Run(() => session.RunAsync("fifo", "m", target, CancellationToken.None));

        Assert.Equal("streams_peak_streams", report.Metric);
        Assert.InRange(report.Value, 10, 16);
        Assert.True(report.Valid);
        Assert.True(report.Result!.P99Ms <= 50);
        Assert.Equal([4, 8, 16, 32], report.Steps.Take(4).Select(s => s.Streams!.Value));
        Assert.All(report.Steps.Where(s => s.Streams >= 17), s => Assert.False(s.MeetsBound(50)));
    }

    /// <summary>Per-stream targets that answer after a fixed service time (or a slower one chosen per reading) and record send times.</summary>
    private sealed class RecordingStreams(VirtualClock clock, long serviceTime) : ILoadTarget, IStreamSource
    {
        public VirtualClock Clock { get; } = clock;

        public long ServiceTime { get; } = serviceTime;

        public List<List<long>> SendTimes { get; } = [];

        public int Opened { get; private set; }

        public int Closed { get; private set; }

        public Func<int, int, long?> Slow { get; init; } = (_, _) => null;

        public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) => throw new InvalidOperationException("each stream has its own target");

        public Task<IReadOnlyList<ILoadTarget>> OpenStreamsAsync(int count, int samples, CancellationToken cancellationToken)
        {
            Opened += count;
            var streams = new ILoadTarget[count];
            for (var i = 0; i < count; i++)
            {
                var sends = new List<long>();
                SendTimes.Add(sends);
                streams[i] = new Stream(this, i, sends);
            }

            return Task.FromResult<IReadOnlyList<ILoadTarget>>(streams);
        }

        public ValueTask CloseStreamsAsync(IReadOnlyList<ILoadTarget> streams)
        {
            Closed += streams.Count;
            return ValueTask.CompletedTask;
        }

        private sealed class Stream(RecordingStreams owner, int number, List<long> sends) : ILoadTarget
        {
            public async ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
            {
                var index = sends.Count;
                sends.Add(owner.Clock.Now);
                await owner.Clock.WaitUntilAsync(owner.Clock.Now + (owner.Slow(number, index) ?? owner.ServiceTime), cancellationToken);
                return QueryOutcome.Success();
            }
        }
    }
}
