using System.Globalization;
using Augur.Bench.Targets;
using Augur.Models;

namespace Augur.Bench.Keys;

/// <summary>
/// Adapts an <see cref="IBenchTarget"/> to the scenarios with one key per query: each query takes the next key of a
/// <see cref="KeySequence"/>, carries that key's inputs (<see cref="KeyedInputs"/>) and, as the request parameter
/// <c>prediction_key</c>, the key's decimal text. One sample per query. The queries of the <see cref="HotKeys"/> most
/// popular keys are encoded once, when first drawn, and kept; any other key's query is encoded each time it is drawn,
/// on the thread that sends it, so that cost (microseconds for a few hundred floats) is part of the measured latency,
/// for every target alike.
/// </summary>
public sealed class KeyedTarget : ILoadTarget
{
    /// <summary>Keys 0 to this − 1 keep their encoded query: 4,096 ranker queries over REST take about 10 MB.</summary>
    public const int HotKeys = 4096;

    private readonly IBenchTarget _target;
    private readonly IPredictionKeyQueries _keyed;
    private readonly IReadOnlyList<TensorSpec> _inputs;
    private readonly object?[] _hot;

    /// <summary>Queries <paramref name="target"/>, whose inputs are <paramref name="inputs"/>, with the keys of <paramref name="keys"/>.</summary>
    public KeyedTarget(IBenchTarget target, IReadOnlyList<TensorSpec> inputs, KeySequence keys)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(keys);
        _target = target;
        _keyed = target as IPredictionKeyQueries ?? throw new InvalidDataException($"{target.Name} cannot send prediction keys");
        _inputs = inputs;
        Keys = keys;
        _hot = new object?[Math.Min(HotKeys, keys.Distribution.Count)];
    }

    /// <summary>The keys the queries take, in order.</summary>
    public KeySequence Keys { get; }

    /// <inheritdoc />
    public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken)
    {
        if (samples != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "a keyed query carries one sample (one key per request)");
        }

        return _target.SendAsync(Query(Keys.Next()), cancellationToken);
    }

    /// <summary>The prepared query for <paramref name="key"/>: its inputs and its <c>prediction_key</c>.</summary>
    public object Query(int key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(key);
        if (key >= _hot.Length)
        {
            return Build(key);
        }

        // Two threads may both build a hot key's query the first time; either copy is the same query.
        if (Volatile.Read(ref _hot[key]) is { } kept)
        {
            return kept;
        }

        var query = Build(key);
        Volatile.Write(ref _hot[key], query);
        return query;
    }

    private object Build(int key) =>
        _keyed.WithPredictionKey(_target.Prepare(KeyedInputs.Create(_inputs, key)), key.ToString(CultureInfo.InvariantCulture));
}
