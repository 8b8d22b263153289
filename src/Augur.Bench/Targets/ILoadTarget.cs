namespace Augur.Bench.Targets;

/// <summary>What a scenario drives: issue one query of a number of samples and wait for its answer.</summary>
public interface ILoadTarget
{
    /// <summary>Issues one query of <paramref name="samples"/> samples and waits for its answer.</summary>
    ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken);
}
