using Augur.Bench.Targets;

namespace Augur.Bench.Tests;

/// <summary>Answers each query after a service time chosen per query, with unlimited parallelism.</summary>
internal sealed class DelayTarget(VirtualClock clock, Func<long, long, long> serviceTime) : ILoadTarget
{
    public List<int> SampleCounts { get; } = [];

    public Func<long, string?> Error { get; init; } = _ => null;

    /// <summary>serviceTime(index, issuedAt) gives the nanoseconds until the answer.</summary>
    public async ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
    {
        long index = SampleCounts.Count;
        SampleCounts.Add(samples);
        await clock.WaitUntilAsync(clock.Now + serviceTime(index, clock.Now), cancellationToken);
        return QueryOutcome.FromError(Error(index));
    }
}

/// <summary>One server in front of a FIFO queue: a known capacity of 1 / <c>serviceTime</c> queries per second.</summary>
internal sealed class QueueTarget(VirtualClock clock, long serviceTime) : ILoadTarget
{
    private long _freeAt;

    public async ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
    {
        var start = Math.Max(clock.Now, _freeAt);
        _freeAt = start + serviceTime;
        await clock.WaitUntilAsync(_freeAt, cancellationToken);
        return QueryOutcome.Success();
    }
}

/// <summary>Answers query i (in issue order) after the time and with the outcome <c>answer(i)</c> chooses, with unlimited parallelism.</summary>
internal sealed class StatusTarget(VirtualClock clock, Func<long, (long Nanoseconds, QueryOutcome Outcome)> answer) : ILoadTarget
{
    /// <summary>When each query reached the target, in issue order.</summary>
    public List<long> SendTimes { get; } = [];

    public async ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
    {
        var (nanoseconds, outcome) = answer(SendTimes.Count);
        SendTimes.Add(clock.Now);
        await clock.WaitUntilAsync(clock.Now + nanoseconds, cancellationToken);
        return outcome;
    }
}
