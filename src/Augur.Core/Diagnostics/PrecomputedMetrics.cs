using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Augur.Diagnostics;

/// <summary>
/// The instruments of precomputed predictions, on the engine's meter, tagged with <c>model</c> and <c>version</c>:
/// <list type="bullet">
/// <item><c>augur.precomputed.lookups</c>: lookups by <c>result</c>: <c>hit</c> (answered from the store), <c>miss</c>
/// (no prediction for the key), <c>stale</c> (older than max_age_seconds), <c>version_mismatch</c> (only another
/// version's), <c>incomplete</c> (the row lacks an output asked for, or does not fit the signature), <c>failed</c>
/// (the store failed, did not answer in time, or is failing and was not asked). Every result but <c>hit</c> ran the model.</item>
/// <item><c>augur.precomputed.store.failures</c>: store calls that failed, by <c>operation</c> (<c>find</c>,
/// <c>write</c>) and <c>reason</c> (<c>timeout</c>, <c>error</c>; for writes also <c>queue_full</c>, and
/// <c>unavailable</c> for a write dropped while the store fails).</item>
/// <item><c>augur.precomputed.writes</c>: online answers written back to the store.</item>
/// <item><c>augur.precomputed.age</c>: the age of each prediction served from the store, in seconds.</item>
/// </list>
/// </summary>
internal sealed class PrecomputedMetrics
{
    // Seconds, from 1 s to 30 days: predictions are made by jobs that run from every few minutes to monthly.
    private static readonly IReadOnlyList<double> AgeBuckets =
        [1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 2592000];

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _writes;
    private readonly Histogram<double> _age;

    public PrecomputedMetrics(Meter meter)
    {
        _lookups = meter.CreateCounter<long>("augur.precomputed.lookups", "{lookup}", "Precomputed prediction lookups, by result (hit, miss, stale, version_mismatch, incomplete, failed).");
        _failures = meter.CreateCounter<long>("augur.precomputed.store.failures", "{failure}", "Precomputed prediction store calls that failed or timed out, by operation and reason; the request ran the model.");
        _writes = meter.CreateCounter<long>("augur.precomputed.writes", "{prediction}", "Online answers written back to the precomputed prediction store.");
        _age = meter.CreateHistogram<double>("augur.precomputed.age", "s", "Age of the precomputed predictions served.", advice: new() { HistogramBucketBoundaries = AgeBuckets });
    }

    public Bound ForVersion(string model, string version) => new(this, model, version);

    /// <summary>The instruments bound to one version's tags, so recording allocates nothing per request.</summary>
    internal sealed class Bound
    {
        private static readonly string[] ResultTags = ["hit", "miss", "stale", "version_mismatch", "incomplete", "failed"];
        private readonly PrecomputedMetrics _owner;
        private readonly KeyValuePair<string, object?>[] _tags;

        public Bound(PrecomputedMetrics owner, string model, string version)
        {
            _owner = owner;
            _tags = [new("model", model), new("version", version)];
        }

        public void Lookup(PrecomputedResult result) => _owner._lookups.Add(1, new TagList(_tags) { { "result", ResultTags[(int)result] } });

        public void Served(TimeSpan age) => _owner._age.Record(Math.Max(0, age.TotalSeconds), _tags);

        public void Written() => _owner._writes.Add(1, _tags);

        public void StoreFailed(string operation, string reason) =>
            _owner._failures.Add(1, new TagList(_tags) { { "operation", operation }, { "reason", reason } });
    }
}

/// <summary>What a precomputed lookup found (the <c>result</c> tag of <c>augur.precomputed.lookups</c>).</summary>
internal enum PrecomputedResult
{
    Hit,
    Miss,
    Stale,
    VersionMismatch,
    Incomplete,
    Failed,
}
