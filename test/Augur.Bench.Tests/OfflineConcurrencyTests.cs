using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;

namespace Augur.Bench.Tests;

public sealed class OfflineConcurrencyTests
{
    [Fact]
    public async Task Offline_loops_run_side_by_side_against_a_target_that_answers_synchronously()
    {
        var target = new MeetingTarget();
        var settings = new ScenarioSettings(Scenario.Offline) { MinDuration = TimeSpan.Zero, MinQueryCount = 1000, OfflineConcurrency = 2 };

        var result = await new ScenarioRunner(SystemClock.Instance).RunAsync(settings, target).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, target.MaxInFlight);
        Assert.Equal(0, result.Errors);
    }

    /// <summary>Completes synchronously; its first call holds on until a second call is in flight beside it (bounded).</summary>
    private sealed class MeetingTarget : ILoadTarget
    {
        private int _inFlight;
        private int _calls;
        private int _maxInFlight;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public ValueTask<string?> IssueAsync(int samples, CancellationToken cancellationToken)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
            {
            }

            if (Interlocked.Increment(ref _calls) == 1)
            {
                SpinWait.SpinUntil(() => Volatile.Read(ref _maxInFlight) >= 2, TimeSpan.FromSeconds(5));
            }

            Interlocked.Decrement(ref _inFlight);
            return ValueTask.FromResult<string?>(null);
        }
    }
}
