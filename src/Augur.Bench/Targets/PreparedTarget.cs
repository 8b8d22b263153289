using System.Collections.Concurrent;
using Augur.Bench.Data;

namespace Augur.Bench.Targets;

/// <summary>
/// Adapts an <see cref="IBenchTarget"/> to the scenarios: one prepared query per sample count, built from the sample
/// source the first time that count is asked for, then reused.
/// </summary>
public sealed class PreparedTarget(IBenchTarget target, SampleSource samples) : ILoadTarget, IStreamSource
{
    private readonly ConcurrentDictionary<int, object> _queries = new();

    /// <summary>Prepares the query of <paramref name="count"/> samples ahead of a run, so the run measures no encoding.</summary>
    public void Prepare(int count) => _ = Get(count);

    /// <inheritdoc />
    public ValueTask<string?> IssueAsync(int samples, CancellationToken cancellationToken) =>
        target.SendAsync(Get(samples), cancellationToken);

    /// <inheritdoc />
    /// <remarks>A streaming target opens one stream each; any other target serves every stream itself.</remarks>
    public async Task<IReadOnlyList<ILoadTarget>> OpenStreamsAsync(int count, int samples, CancellationToken cancellationToken)
    {
        if (target is not IStreamingBenchTarget streaming)
        {
            return Enumerable.Repeat<ILoadTarget>(this, count).ToArray();
        }

        var sessions = new ILoadTarget[count];
        for (var i = 0; i < count; i++)
        {
            sessions[i] = await streaming.OpenStreamAsync(Get(samples), cancellationToken).ConfigureAwait(false);
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

    private object Get(int count) => _queries.GetOrAdd(count, static (n, s) => s.Samples.CreateQuery(s.Target, n), (Target: target, Samples: samples));
}
