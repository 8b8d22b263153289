namespace Augur.Bench.Targets;

/// <summary>A target that answers at once: what the generator measures against it is its own overhead.</summary>
public sealed class NoOpTarget : ILoadTarget
{
    /// <inheritdoc />
    public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) => ValueTask.FromResult(QueryOutcome.Success());
}
