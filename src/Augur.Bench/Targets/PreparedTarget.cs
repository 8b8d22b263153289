using System.Collections.Concurrent;
using Augur.Bench.Data;

namespace Augur.Bench.Targets;

/// <summary>
/// Adapts an <see cref="IBenchTarget"/> to the scenarios: one prepared query per sample count, built from the sample
/// source the first time that count is asked for, then reused. With <paramref name="sequencePerStream"/>, for a stateful
/// sequence model, every query carries a <c>sequence_id</c>: in the Streams scenario stream i is sequence
/// <c>augur-bench-i</c> (the same ids in every run, so a peak search does not pile up live sequences), and other
/// queries are sequence <c>augur-bench-shared</c>. The model must start sequences implicitly (<c>implicit_start</c>).
/// </summary>
public sealed class PreparedTarget(IBenchTarget target, SampleSource samples, bool sequencePerStream = false) : ILoadTarget, IStreamSource
{
    /// <summary>The sequence id stream <c>i</c> sends when each stream is a sequence: this prefix and i.</summary>
    public const string SequencePrefix = "augur-bench-";

    private readonly ConcurrentDictionary<int, object> _queries = new();
    private readonly ConcurrentDictionary<(int Samples, int Stream), object> _streamQueries = new();

    /// <summary>Prepares the query of <paramref name="count"/> samples ahead of a run, so the run measures no encoding.</summary>
    public void Prepare(int count) => _ = Get(count);

    /// <inheritdoc />
    public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) =>
        target.SendAsync(Get(samples), cancellationToken);

    /// <inheritdoc />
    /// <remarks>A streaming target opens one stream each; any other target serves every stream itself.</remarks>
    public async Task<IReadOnlyList<ILoadTarget>> OpenStreamsAsync(int count, int samples, CancellationToken cancellationToken)
    {
        if (target is not IStreamingBenchTarget streaming)
        {
            return sequencePerStream
                ? Enumerable.Range(0, count).Select(i => (ILoadTarget)new FixedQuery(target, StreamQuery(samples, i))).ToArray()
                : Enumerable.Repeat<ILoadTarget>(this, count).ToArray();
        }

        var sessions = new ILoadTarget[count];
        for (var i = 0; i < count; i++)
        {
            var query = sequencePerStream ? StreamQuery(samples, i) : Get(samples);
            sessions[i] = await streaming.OpenStreamAsync(query, cancellationToken).ConfigureAwait(false);
        }

        return sessions;
    }

    /// <inheritdoc />
    public async ValueTask CloseStreamsAsync(IReadOnlyList<ILoadTarget> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        foreach (var session in streams.OfType<IStreamSession>())
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private object Get(int count) => _queries.GetOrAdd(count, static (n, s) =>
    {
        var query = s.Samples.CreateQuery(s.Target, n);
        return s.Sequences ? Sequenced(s.Target).WithSequenceId(query, SequencePrefix + "shared") : query;
    }, (Target: target, Samples: samples, Sequences: sequencePerStream));

    /// <summary>The query of stream <paramref name="stream"/>: the shared one's tensors under the stream's own sequence id.</summary>
    private object StreamQuery(int count, int stream) => _streamQueries.GetOrAdd((count, stream), static (key, s) =>
        Sequenced(s.Target).WithSequenceId(s.Samples.CreateQuery(s.Target, key.Samples), SequencePrefix + key.Stream.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        (Target: target, Samples: samples));

    private static ISequenceQueries Sequenced(IBenchTarget target) => target as ISequenceQueries
        ?? throw new InvalidDataException($"{target.Name} cannot send sequence ids (only REST and gRPC targets can)");

    /// <summary>One stream of a target without streams of its own: sends its own query each time.</summary>
    private sealed class FixedQuery(IBenchTarget target, object query) : ILoadTarget
    {
        public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) => target.SendAsync(query, cancellationToken);
    }
}
