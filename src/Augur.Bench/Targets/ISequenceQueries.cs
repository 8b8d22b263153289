namespace Augur.Bench.Targets;

/// <summary>
/// A target whose prepared queries can carry a sequence id (the <c>sequence_id</c> request parameter), so each stream of
/// the Streams scenario can be one sequence of a stateful model.
/// </summary>
public interface ISequenceQueries
{
    /// <summary>A copy of the prepared <paramref name="query"/> that carries <c>sequence_id</c> = <paramref name="sequenceId"/>.</summary>
    object WithSequenceId(object query, string sequenceId);
}
