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

        var result = await new ScenarioRunner(SystemClock.Instance).RunAsync(settings, target).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.Errors == 0, result.FirstError);
        Assert.Equal(2, target.MaxInFlight);
    }

    /// <summary>
    /// Completes synchronously. Its first call blocks until a second call is in flight beside it, which only the other
    /// loop can make, so the run finishes without errors only if the loops really run side by side. The wait is bounded
    /// (a generous bound, for a broken runner) and then fails the query.
    /// </summary>
    private sealed class MeetingTarget : ILoadTarget
    {
        private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
        private readonly TaskCompletionSource _met = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _calls;
        private int _maxInFlight;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
            {
            }

            string? error = null;
            if (Interlocked.Increment(ref _calls) == 1)
            {
                error = _met.Task.Wait(Bound) ? null : "no second query came while the first was in flight";
            }
            else if (inFlight >= 2)
            {
                _met.TrySetResult();
            }

            Interlocked.Decrement(ref _inFlight);
            return ValueTask.FromResult(QueryOutcome.FromError(error));
        }
    }
}
